"""Tokens kept in a `TokenStore`: refreshed on expiry, written compare-and-set, never lost."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from .exceptions import SpotifyReauthRequiredError, StoreConflictError, StoreError

if TYPE_CHECKING:
    from collections.abc import Callable

    from .account import Account
    from .spotify import SpotifyClient
    from .store import TokenStore

_LOGGER = logging.getLogger(__name__)
# Refresh this long before Spotify's stated expiry, so no call races the deadline.
REFRESH_MARGIN = 60.0


class StoredTokens:
    """The standalone server's token provider for one stored account."""

    def __init__(
        self,
        client: SpotifyClient,
        store: TokenStore,
        account: Account,
        *,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        """Start from `account` as loaded; the store is re-read before every refresh."""
        self._client = client
        self._store = store
        self.account = account
        self._wall_clock = wall_clock
        self._refresh_lock = asyncio.Lock()
        self._unsaved = False
        # The store failed us last time: said once, and again once it works.
        self._store_trouble = False

    async def access_token(self) -> str:
        """The stored token, refreshed first when it is about to expire."""
        if self._unsaved:
            async with self._refresh_lock:
                self.account = await self._persist(await self._latest())
        account = self.account
        if account.needs_relink:
            msg = f"{account.uid} must be linked again"
            raise SpotifyReauthRequiredError(msg)
        if self._expired(account):
            account = await self.refresh(stale_token=account.access_token)
        return account.access_token

    async def refreshed_token(self, rejected: str) -> str:
        """A new token (or one another writer stored meanwhile) instead of `rejected`."""
        return (await self.refresh(stale_token=rejected)).access_token

    async def refresh(self, stale_token: str | None = None) -> Account:
        """Get a new access token and store it; reuse one another writer stored meanwhile.

        `stale_token` is the token the caller found wanting: if the store already holds a
        different one (another process rotated it), that one is used without calling Spotify.
        """
        async with self._refresh_lock:
            account = await self._latest()
            if (
                stale_token is not None
                and account.access_token != stale_token
                and not self._expired(account)
            ):
                self.account = account
                return account
            try:
                grant = await self._client.refresh_access_token(
                    account.client_id, account.client_secret, account.refresh_token
                )
            except SpotifyReauthRequiredError:
                self.account = await self._persist(account.with_changes(needs_relink=True))
                raise
            self.account = await self._persist(account.with_grant(grant))
            return self.account

    def _expired(self, account: Account) -> bool:
        return account.expires_at - REFRESH_MARGIN <= self._wall_clock()

    async def _latest(self) -> Account:
        """The stored account, unless ours holds tokens the store has not taken yet."""
        try:
            stored = await self._store.get(self.account.uid)
        except StoreError as err:
            self._store_failed("using the tokens held in memory", err)
            return self.account
        return self.account.with_changes(version=stored.version) if self._unsaved else stored

    async def _persist(self, account: Account) -> Account:
        """Write compare-and-set, so no writer ever loses a rotated token.

        On conflict the stored (newer) tokens win; while the store is down the tokens are
        kept in memory and written at the next fetch.
        """
        try:
            saved = await self._store.save_if_unchanged(account)
        except StoreConflictError:
            _LOGGER.info("%s: another writer rotated the token; using theirs", account.uid)
            saved = await self._store.get(account.uid)
        except StoreError as err:
            self._store_failed("keeping the new token in memory until it can be stored", err)
            self._unsaved = True
            return account
        if self._store_trouble:
            _LOGGER.info("%s: token store works again; tokens stored", account.uid)
            self._store_trouble = False
        self._unsaved = False
        return saved

    def _store_failed(self, doing: str, err: StoreError) -> None:
        if not self._store_trouble:
            _LOGGER.warning("%s: token store unavailable, %s: %s", self.account.uid, doing, err)
        self._store_trouble = True
