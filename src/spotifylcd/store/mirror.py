"""Tokens another host refreshes, copied into a token store the standalone server reads.

Home Assistant keeps its tokens in its own storage; with MongoDB storage it also writes each
new token here (compare-and-set), so a standalone server or the add-on on the same database
serves the account with no second Spotify link, and it adopts a token another writer rotated
there instead of refreshing over it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ..exceptions import AccountNotFoundError, StoreConflictError
from ..spotify import TokenGrant

if TYPE_CHECKING:
    from ..account import Account
    from .base import TokenStore

_LOGGER = logging.getLogger(__name__)


class TokenMirror:
    """One account's document in a shared store, written by a host that refreshes elsewhere."""

    def __init__(self, store: TokenStore, account: Account) -> None:
        """Mirror `account` (uid, device key, client credentials, settings) into `store`."""
        self.store = store
        self.account = account

    async def newer(self, grant: TokenGrant) -> TokenGrant | None:
        """The stored tokens when another writer rotated them since `grant` was issued."""
        try:
            stored = await self.store.get(self.account.uid)
        except AccountNotFoundError:
            return None
        if stored.access_token == grant.access_token or stored.expires_at <= grant.expires_at:
            return None
        _LOGGER.info("%s: using the newer Spotify token found in the shared store", stored.uid)
        return TokenGrant(stored.access_token, stored.refresh_token, stored.expires_at)

    async def replacement(self, rejected: str, now: float) -> TokenGrant | None:
        """Another writer's unexpired token, once Spotify refused ours (`rejected`)."""
        try:
            stored = await self.store.get(self.account.uid)
        except AccountNotFoundError:
            return None
        if stored.access_token == rejected or stored.expires_at <= now:
            return None
        _LOGGER.info("%s: Spotify refused our token; using the shared store's", stored.uid)
        return TokenGrant(stored.access_token, stored.refresh_token, stored.expires_at)

    async def publish(self, grant: TokenGrant) -> None:
        """Store `grant` with the account; a newer token written meanwhile is left alone."""
        try:
            stored: Account | None = await self.store.get(self.account.uid)
        except AccountNotFoundError:
            stored = None
        mine = self.account
        account = (stored or mine).with_changes(
            client_id=mine.client_id,
            client_secret=mine.client_secret,
            device_key=mine.device_key,
            keyless=mine.keyless,
            spotify_user_id=mine.spotify_user_id,
            linked_at=mine.linked_at,
            needs_relink=False,
        )
        account = account.with_grant(grant)
        if stored is None:
            await self.store.put(account)
            return
        if stored.access_token == grant.access_token:
            return
        try:
            await self.store.save_if_unchanged(account)
        except StoreConflictError:
            _LOGGER.info("%s: the shared store got a token meanwhile; kept it", account.uid)

    async def close(self) -> None:
        """Release the store's connections."""
        await self.store.close()
