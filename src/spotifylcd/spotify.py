"""Async client for the few Spotify Web API and accounts calls a now-playing display needs."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote

import aiohttp

from .exceptions import (
    SpotifyAuthError,
    SpotifyError,
    SpotifyForbiddenError,
    SpotifyInvalidResponseError,
    SpotifyNoActiveDeviceError,
    SpotifyRateLimitedError,
    SpotifyReauthRequiredError,
    SpotifyUnavailableError,
)
from .playback import Playback
from .scopes import CONTROL_SCOPE, SCOPES

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

DEFAULT_API_URL: Final = "https://api.spotify.com/v1"
DEFAULT_ACCOUNTS_URL: Final = "https://accounts.spotify.com"
DEFAULT_RETRY_AFTER: Final = 5.0
DEFAULT_TIMEOUT: Final = 10.0
# Token-endpoint errors that no retry can fix: the user has to link the account again.
_RELINK_ERRORS: Final = frozenset({"invalid_grant", "invalid_client", "unauthorized_client"})


@dataclass(frozen=True, slots=True)
class SpotifyEndpoints:
    """Where Spotify lives; tests point both at a fake Spotify on loopback."""

    api_url: str = DEFAULT_API_URL
    accounts_url: str = DEFAULT_ACCOUNTS_URL

    @classmethod
    def from_env(cls) -> SpotifyEndpoints:
        """Read `SPOTIFY_LCD_API_URL` and `SPOTIFY_LCD_ACCOUNTS_URL`, falling back to Spotify."""
        return cls(
            api_url=os.environ.get("SPOTIFY_LCD_API_URL", DEFAULT_API_URL).rstrip("/"),
            accounts_url=os.environ.get("SPOTIFY_LCD_ACCOUNTS_URL", DEFAULT_ACCOUNTS_URL).rstrip(
                "/"
            ),
        )

    @property
    def token_url(self) -> str:
        """The OAuth token endpoint."""
        return f"{self.accounts_url}/api/token"

    @property
    def authorize_url(self) -> str:
        """The OAuth authorize page."""
        return f"{self.accounts_url}/authorize"


@dataclass(frozen=True, slots=True)
class TokenGrant:
    """Tokens from the token endpoint; `expires_at` is whole wall-clock epoch seconds.

    `scope` is what the user granted, space-separated ("" when Spotify did not say).
    """

    access_token: str
    refresh_token: str
    expires_at: float
    scope: str = ""


@dataclass(frozen=True, slots=True)
class SpotifyUser:
    """The parts of `GET /me` the display cares about.

    Since 2026-03-09 development-mode apps get no `country` (nor `product`, `email`): the
    country is a hint when present, and nothing depends on it.
    """

    user_id: str
    display_name: str
    country: str = ""


class SpotifyClient:
    """Thin typed client; the caller owns the `aiohttp.ClientSession`."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        endpoints: SpotifyEndpoints | None = None,
        *,
        monotonic: Callable[[], float] | None = None,
        wall_clock: Callable[[], float] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        """Use `session` for every call; endpoints default to the environment's."""
        self._session = session
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self.endpoints = endpoints or SpotifyEndpoints.from_env()
        # Looked up now, not at import, so a patched clock (tests, HA's freezer) applies.
        self._monotonic = monotonic or time.monotonic
        self._wall_clock = wall_clock or time.time

    async def get_playback(self, access_token: str) -> Playback:
        """`GET /me/player` including podcast episodes; 204 becomes an idle playback."""
        status, body = await self._request(
            "GET",
            f"{self.endpoints.api_url}/me/player",
            params={"additional_types": "episode"},
            headers={"Authorization": f"Bearer {access_token}"},
        )
        fetched_at = self._monotonic()
        if status == HTTPStatus.NO_CONTENT or not body.strip():
            return Playback.idle(fetched_at)
        return Playback.from_spotify(_decode(body), fetched_at)

    async def get_artist_genres(self, access_token: str, artist_id: str) -> tuple[str, ...]:
        """`GET /artists/{id}`: the artist's genres, one artist a call.

        The batch `GET /artists?ids=` is refused to development-mode apps since 2026-03-09.
        """
        _, body = await self._request(
            "GET",
            f"{self.endpoints.api_url}/artists/{quote(artist_id, safe='')}",
            headers={"Authorization": f"Bearer {access_token}"},
        )
        genres = _decode(body).get("genres")
        if not isinstance(genres, list):
            return ()
        return tuple(genre for genre in genres if isinstance(genre, str) and genre)

    async def get_current_user(self, access_token: str) -> SpotifyUser:
        """`GET /me`: who linked the account, and their country for reading Han text."""
        _, body = await self._request(
            "GET",
            f"{self.endpoints.api_url}/me",
            headers={"Authorization": f"Bearer {access_token}"},
        )
        data = _decode(body)
        user_id = data.get("id")
        if not isinstance(user_id, str) or not user_id:
            msg = "user profile has no id"
            raise SpotifyInvalidResponseError(msg)
        return SpotifyUser(
            user_id=user_id,
            display_name=_optional_text(data.get("display_name")) or user_id,
            country=_optional_text(data.get("country")),
        )

    async def refresh_access_token(
        self, client_id: str, client_secret: str, refresh_token: str
    ) -> TokenGrant:
        """Trade a refresh token for a new access token.

        Spotify may rotate the refresh token; when it sends none, the old one stays valid.
        """
        status, body = await self._request(
            "POST",
            self.endpoints.token_url,
            data={"grant_type": "refresh_token", "refresh_token": refresh_token},
            auth=aiohttp.BasicAuth(client_id, client_secret),
            token_endpoint=True,
        )
        data = _decode(body)
        access_token = data.get("access_token")
        if status != HTTPStatus.OK or not isinstance(access_token, str) or not access_token:
            msg = "token endpoint answered without an access token"
            raise SpotifyInvalidResponseError(msg)
        expires_in = data.get("expires_in")
        lifetime = float(expires_in) if isinstance(expires_in, int | float) else 3600.0
        rotated = data.get("refresh_token")
        return TokenGrant(
            access_token=access_token,
            refresh_token=rotated if isinstance(rotated, str) and rotated else refresh_token,
            expires_at=float(int(self._wall_clock() + lifetime)),
            scope=_optional_text(data.get("scope")),
        )

    async def play(self, access_token: str) -> None:
        """Resume playback on the active device."""
        await self._player_command("PUT", "play", access_token)

    async def pause(self, access_token: str) -> None:
        """Pause playback on the active device."""
        await self._player_command("PUT", "pause", access_token)

    async def next_track(self, access_token: str) -> None:
        """Skip to the next item."""
        await self._player_command("POST", "next", access_token)

    async def previous_track(self, access_token: str) -> None:
        """Go back to the previous item."""
        await self._player_command("POST", "previous", access_token)

    async def set_volume(self, access_token: str, percent: int) -> None:
        """Set the active device's volume (0-100)."""
        volume = str(min(100, max(0, percent)))
        await self._player_command("PUT", "volume", access_token, {"volume_percent": volume})

    async def _player_command(
        self, method: str, command: str, access_token: str, params: Mapping[str, str] | None = None
    ) -> None:
        await self._request(
            method,
            f"{self.endpoints.api_url}/me/player/{command}",
            params=params,
            headers={"Authorization": f"Bearer {access_token}"},
        )

    async def _request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        auth: aiohttp.BasicAuth | None = None,
        token_endpoint: bool = False,
    ) -> tuple[int, str]:
        try:
            async with self._session.request(
                method,
                url,
                headers=headers,
                params=params,
                data=data,
                auth=auth,
                timeout=self._timeout,
            ) as response:
                body = await response.text(errors="replace")
                _raise_for_status(
                    response.status, response.headers, body, token_endpoint=token_endpoint
                )
                return response.status, body
        except TimeoutError as err:
            msg = f"Spotify did not answer {method} {url} in time"
            raise SpotifyUnavailableError(msg) from err
        except aiohttp.ClientError as err:
            msg = f"cannot reach Spotify: {err}"
            raise SpotifyUnavailableError(msg) from err


def _raise_for_status(
    status: int, headers: Mapping[str, str], body: str, *, token_endpoint: bool
) -> None:
    if status < HTTPStatus.BAD_REQUEST:
        return
    error, description = _error_fields(body)
    if token_endpoint and error in _RELINK_ERRORS:
        raise SpotifyReauthRequiredError(f"Spotify refused the refresh token: {error}")
    if status == HTTPStatus.UNAUTHORIZED:
        raise SpotifyAuthError(description or "access token rejected")
    if status == HTTPStatus.FORBIDDEN:
        raise SpotifyForbiddenError(description or "forbidden", error or None)
    if status == HTTPStatus.NOT_FOUND and error == "NO_ACTIVE_DEVICE":
        raise SpotifyNoActiveDeviceError(description or "no active device")
    if status == HTTPStatus.TOO_MANY_REQUESTS:
        raise SpotifyRateLimitedError(_retry_after(headers.get("Retry-After")), error or None)
    if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        raise SpotifyUnavailableError(f"Spotify answered HTTP {status}")
    raise SpotifyError(f"Spotify answered HTTP {status}: {description or error or 'no detail'}")


def _error_fields(body: str) -> tuple[str, str]:
    """(error code or reason, message) from either the Web API's or the accounts' error shape."""
    try:
        data = json.loads(body)
    except ValueError:
        return "", ""
    if not isinstance(data, dict):
        return "", ""
    error = data.get("error")
    if isinstance(error, dict):
        return _optional_text(error.get("reason")), _optional_text(error.get("message"))
    return _optional_text(error), _optional_text(data.get("error_description"))


def _retry_after(value: str | None) -> float:
    try:
        seconds = float(value) if value is not None else DEFAULT_RETRY_AFTER
    except ValueError:
        return DEFAULT_RETRY_AFTER
    return seconds if seconds >= 0 else DEFAULT_RETRY_AFTER


def _decode(body: str) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError as err:
        msg = "Spotify answered with something that is not JSON"
        raise SpotifyInvalidResponseError(msg) from err
    if not isinstance(data, dict):
        msg = "Spotify answered with JSON that is not an object"
        raise SpotifyInvalidResponseError(msg)
    return data


def _optional_text(value: object) -> str:
    return value if isinstance(value, str) else ""


__all__ = [
    "CONTROL_SCOPE",
    "SCOPES",
    "SpotifyClient",
    "SpotifyEndpoints",
    "SpotifyUser",
    "TokenGrant",
]
