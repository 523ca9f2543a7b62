"""Where a poll gets playback from: Spotify, with access tokens from a token provider.

The token provider is what differs between hosts: the standalone server keeps tokens in its
store (`StoredTokens`), Home Assistant in its OAuth session. The retry after a rejected token
lives here, once, for both.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections import OrderedDict
from typing import TYPE_CHECKING, Final, Protocol

from .exceptions import SpotifyAuthError, SpotifyLCDError, SpotifyReauthRequiredError

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from .playback import Playback
    from .spotify import SpotifyClient


_LOGGER = logging.getLogger(__name__)
# The first artists decide a track's reading; a long feature list costs no more calls.
MAX_ARTIST_LOOKUPS: Final = 2
GENRE_CACHE_SIZE: Final = 512


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
    """The account's player, asked with the provider's token; one retry after a 401.

    A track's artists' genres (a signal for reading Han titles) are looked up one artist at
    a time, once per artist, by the poller: never on a display's request path.
    """

    def __init__(self, client: SpotifyClient, tokens: TokenProvider) -> None:
        """Ask `client` with tokens from `tokens`."""
        self.client = client
        self.tokens = tokens
        self._genres: OrderedDict[str, tuple[str, ...]] = OrderedDict()
        # Calls beyond the polls themselves, for the call budget.
        self.artist_lookups = 0

    async def fetch_playback(self) -> Playback:
        """Current playback, with its artists' genres once they are known."""
        playback = await with_token(self.tokens, self.client.get_playback)
        await self._look_up_genres(playback.artist_ids[:MAX_ARTIST_LOOKUPS])
        genres = tuple(
            dict.fromkeys(
                genre
                for artist_id in playback.artist_ids
                for genre in self._genres.get(artist_id, ())
            )
        )
        return dataclasses.replace(playback, genres=genres) if genres else playback

    async def _look_up_genres(self, artist_ids: tuple[str, ...]) -> None:
        for artist_id in artist_ids:
            if artist_id in self._genres:
                self._genres.move_to_end(artist_id)
                continue
            self.artist_lookups += 1
            try:
                genres = await with_token(
                    self.tokens,
                    functools.partial(self.client.get_artist_genres, artist_id=artist_id),
                )
            except SpotifyLCDError as err:
                # Playback still counts; the lookup is tried again at a later poll.
                _LOGGER.debug("no genres for artist %s yet: %s", artist_id, err)
                return
            self._genres[artist_id] = genres
            if len(self._genres) > GENRE_CACHE_SIZE:
                self._genres.popitem(last=False)


async def with_token[T](tokens: TokenProvider, call: Callable[[str], Awaitable[T]]) -> T:
    """`call` with the provider's token; a token Spotify rejects (401) is replaced once."""
    token = await tokens.access_token()
    try:
        return await call(token)
    except SpotifyReauthRequiredError:
        raise
    except SpotifyAuthError:
        return await call(await tokens.refreshed_token(token))
