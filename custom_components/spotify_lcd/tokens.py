"""Home Assistant's OAuth session as the library's token provider.

As core's Spotify integration hands its client a refresh callback, the poll engine here asks
this provider for tokens and never touches the config entry itself. With MongoDB storage every
new token is also mirrored there, and a token another writer rotated there is adopted.
"""

from __future__ import annotations

import time
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from aiohttp import ClientError, ClientResponseError

from spotifylcd.exceptions import (
    SpotifyRateLimitedError,
    SpotifyReauthRequiredError,
    SpotifyUnavailableError,
    StoreError,
)
from spotifylcd.spotify import DEFAULT_RETRY_AFTER, TokenGrant

from .const import LOGGER

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.config_entry_oauth2_flow import OAuth2Session

    from spotifylcd.store.mirror import TokenMirror


def grant_of(token: dict[str, Any]) -> TokenGrant:
    """HA's stored token as the library's grant."""
    return TokenGrant(
        str(token["access_token"]), str(token["refresh_token"]), float(token["expires_at"])
    )


class OAuthSessionTokens:
    """Tokens from the entry's `OAuth2Session`, refreshed by HA, optionally mirrored."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        session: OAuth2Session,
        mirror: TokenMirror | None = None,
    ) -> None:
        """Serve `entry`'s tokens through `session`; mirror them to `mirror` when given."""
        self._hass = hass
        self._entry = entry
        self._session = session
        self._mirror = mirror
        # Nothing published yet: the first token in use is written to the mirror.
        self._published = ""

    async def access_token(self) -> str:
        """The session's token, refreshed by HA when it expires (after adopting a newer one)."""
        if not self._session.valid_token:
            await self.adopt_newer()
        try:
            await self._session.async_ensure_token_valid()
        except (ClientError, TimeoutError) as err:
            raise _library_error(err) from err
        return await self._in_use()

    async def refreshed_token(self, rejected: str) -> str:
        """A new token after Spotify refused `rejected`: another writer's, or a refresh."""
        if await self._adopt(lambda mirror: mirror.replacement(rejected, time.time())):
            return await self._in_use()
        try:
            refreshed = await self._session.implementation.async_refresh_token(self._session.token)
        except (ClientError, TimeoutError) as err:
            raise _library_error(err) from err
        self._store(refreshed)
        return await self._in_use()

    async def adopt_newer(self) -> bool:
        """Take a newer token another writer stored in the mirror; whether there was one."""
        return await self._adopt(lambda mirror: mirror.newer(grant_of(self._session.token)))

    async def _adopt(self, find: Callable[[TokenMirror], Awaitable[TokenGrant | None]]) -> bool:
        if self._mirror is None:
            return False
        try:
            grant = await find(self._mirror)
        except StoreError as err:
            LOGGER.warning("%s: token mirror unavailable: %s", self._mirror.account.uid, err)
            return False
        if grant is None:
            return False
        self._store(
            {
                **self._session.token,
                "access_token": grant.access_token,
                "refresh_token": grant.refresh_token,
                "expires_at": grant.expires_at,
            }
        )
        self._published = grant.access_token
        return True

    def _store(self, token: dict[str, Any]) -> None:
        self._hass.config_entries.async_update_entry(
            self._entry, data={**self._entry.data, "token": token}
        )

    async def _in_use(self) -> str:
        token = str(self._session.token["access_token"])
        if self._mirror is not None and token != self._published:
            try:
                await self._mirror.publish(grant_of(self._session.token))
            except StoreError as err:
                LOGGER.warning(
                    "%s: cannot write the new token to MongoDB: %s", self._mirror.account.uid, err
                )
            else:
                self._published = token
        return token


def _library_error(err: ClientError | TimeoutError) -> Exception:
    """A refused refresh token needs a new link; a rate limit or an outage does not."""
    if isinstance(err, ClientResponseError):
        if err.status == HTTPStatus.TOO_MANY_REQUESTS:
            return SpotifyRateLimitedError(DEFAULT_RETRY_AFTER)
        if HTTPStatus.BAD_REQUEST <= err.status < HTTPStatus.INTERNAL_SERVER_ERROR:
            return SpotifyReauthRequiredError(f"Spotify refused the refresh token ({err.status})")
    return SpotifyUnavailableError(f"cannot refresh the Spotify token: {err}")
