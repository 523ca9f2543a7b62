"""Tokens shared through MongoDB, in the old middleware's layout, with the standalone server.

Home Assistant's OAuth session stays the one that refreshes; the mirror writes every new
token to the account's document (compare-and-set) and, at start-up, adopts a newer token that
another writer (the standalone server, the old middleware) stored there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from spotifylcd.exceptions import AccountNotFoundError, StoreConflictError

from .const import LOGGER

if TYPE_CHECKING:
    from spotifylcd.account import Account
    from spotifylcd.store import MongoTokenStore


class MongoTokenMirror:
    """One account's document in MongoDB."""

    def __init__(self, store: MongoTokenStore, account: Account) -> None:
        """Mirror `account` (uid, key, credentials) into `store`."""
        self.store = store
        self.account = account

    async def adopt_newer(self, token: dict[str, Any]) -> dict[str, Any] | None:
        """The stored token if it is newer than `token` (another writer rotated it)."""
        try:
            stored = await self.store.get(self.account.uid)
        except AccountNotFoundError:
            return None
        if stored.access_token == token.get("access_token"):
            return None
        if stored.expires_at <= float(token.get("expires_at", 0)):
            return None
        LOGGER.info("%s: using the newer Spotify token found in MongoDB", self.account.uid)
        return {
            **token,
            "access_token": stored.access_token,
            "refresh_token": stored.refresh_token,
            "expires_at": stored.expires_at,
        }

    async def publish(self, token: dict[str, Any]) -> None:
        """Write `token` to the document; a newer one written meanwhile is left alone."""
        try:
            stored = await self.store.get(self.account.uid)
        except AccountNotFoundError:
            stored = None
        account = (stored or self.account).with_changes(
            client_id=self.account.client_id,
            client_secret=self.account.client_secret,
            device_key=self.account.device_key,
            keyless=self.account.keyless,
            access_token=str(token["access_token"]),
            refresh_token=str(token["refresh_token"]),
            expires_at=float(token["expires_at"]),
        )
        if stored is None:
            await self.store.put(account)
            return
        if stored.access_token == account.access_token:
            return
        try:
            await self.store.save_if_unchanged(account)
        except StoreConflictError:
            LOGGER.info("%s: MongoDB holds a token written meanwhile; kept it", account.uid)

    async def close(self) -> None:
        """Close the connection pool."""
        await self.store.close()
