"""Where a poll gets playback from: Spotify, with access tokens from a token provider.

The token provider is what differs between hosts: the standalone server keeps tokens in its
store (`StoredTokens`), Home Assistant in its OAuth session. The retry after a rejected token
lives here, once, for both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from .exceptions import SpotifyAuthError, SpotifyReauthRequiredError

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from .playback import Playback
    from .spotify import SpotifyClient


class PlaybackSource(Protocol):
    """Anything that can say what an account is playing right now."""

    async def fetch_playback(self) -> Playback:
        """One upstream call's worth of playback; raises `SpotifyError` subclasses."""
        ...


class TokenProvider(Protocol):
    """Valid Spotify access tokens for one account, however the host keeps them.

    Both calls raise `SpotifyReauthRequiredError` when Spotify refuses the refresh token
    (the user must link again) and `SpotifyUnavailableError` when it cannot be reached.
    """

    async def access_token(self) -> str:
        """A token that has not expired, refreshed first if it has."""
        ...

    async def refreshed_token(self, rejected: str) -> str:
        """A token other than `rejected`, which Spotify just refused (HTTP 401)."""
        ...


class SpotifyPlaybackSource:
    """The account's player, asked with the provider's token; one retry after a 401."""

    def __init__(self, client: SpotifyClient, tokens: TokenProvider) -> None:
        """Ask `client` with tokens from `tokens`."""
        self.client = client
        self.tokens = tokens

    async def fetch_playback(self) -> Playback:
        """Current playback; a token Spotify rejects is replaced once, never in a loop."""
        return await with_token(self.tokens, self.client.get_playback)


async def with_token[T](tokens: TokenProvider, call: Callable[[str], Awaitable[T]]) -> T:
    """`call` with the provider's token; a token Spotify rejects (401) is replaced once."""
    token = await tokens.access_token()
    try:
        return await call(token)
    except SpotifyReauthRequiredError:
        raise
    except SpotifyAuthError:
        return await call(await tokens.refreshed_token(token))
