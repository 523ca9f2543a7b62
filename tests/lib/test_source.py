"""A linked account's token lifecycle against the fake Spotify and a real store."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from spotifylcd.account import Account
from spotifylcd.exceptions import (
    SpotifyAuthError,
    SpotifyReauthRequiredError,
    StoreUnavailableError,
)
from spotifylcd.playback import PlaybackKind
from spotifylcd.source import SpotifyPlaybackSource
from spotifylcd.spotify import SpotifyClient, SpotifyEndpoints, TokenGrant
from spotifylcd.store import FileTokenStore
from spotifylcd.stored_tokens import StoredTokens
from tests.fake_spotify import FakeSpotify, Reply

type Fake = tuple[FakeSpotify, SpotifyEndpoints]


def account_source(
    client: SpotifyClient, store: FileTokenStore, account: Account
) -> tuple[SpotifyPlaybackSource, StoredTokens]:
    """The standalone server's source: playback asked with the store's tokens."""
    tokens = StoredTokens(client, store, account)
    return SpotifyPlaybackSource(client, tokens), tokens


@pytest.fixture
async def stored(file_store: FileTokenStore, linked_account: Account) -> Account:
    return await file_store.put(linked_account)


async def test_valid_token_is_used_without_refresh(
    fake_spotify: Fake,
    spotify_client: SpotifyClient,
    file_store: FileTokenStore,
    stored: Account,
    track_state: dict[str, Any],
) -> None:
    fake_spotify[0].player_default = Reply(200, track_state)
    source, _ = account_source(spotify_client, file_store, stored)
    assert (await source.fetch_playback()).kind is PlaybackKind.TRACK
    assert (fake_spotify[0].calls["token"], fake_spotify[0].calls["player"]) == (0, 1)


async def test_expired_token_is_refreshed_first_and_stored(
    fake_spotify: Fake, spotify_client: SpotifyClient, file_store: FileTokenStore, stored: Account
) -> None:
    expired = await file_store.save_if_unchanged(stored.with_changes(expires_at=time.time() - 5))
    source, _ = account_source(spotify_client, file_store, expired)
    await source.fetch_playback()
    assert fake_spotify[0].calls == {"token": 1, "player": 1}
    assert fake_spotify[0].access_tokens_seen == ["access-1"]
    assert (await file_store.get(stored.uid)).access_token == "access-1"


async def test_rejected_token_is_refreshed_once(
    fake_spotify: Fake, spotify_client: SpotifyClient, file_store: FileTokenStore, stored: Account
) -> None:
    fake_spotify[0].valid_access_tokens.clear()  # Spotify revoked access-0 early
    source, _ = account_source(spotify_client, file_store, stored)
    assert (await source.fetch_playback()).kind is PlaybackKind.IDLE
    assert fake_spotify[0].calls == {"player": 2, "token": 1}


async def test_still_rejected_after_refresh_is_an_auth_error_not_a_loop(
    fake_spotify: Fake, spotify_client: SpotifyClient, file_store: FileTokenStore, stored: Account
) -> None:
    fake, _ = fake_spotify
    fake.player_queue.extend([Reply(401, ""), Reply(401, "")])
    source, _ = account_source(spotify_client, file_store, stored)
    with pytest.raises(SpotifyAuthError):
        await source.fetch_playback()
    assert fake.calls == {"player": 2, "token": 1}


async def test_revoked_refresh_token_marks_needs_relink(
    fake_spotify: Fake, spotify_client: SpotifyClient, file_store: FileTokenStore, stored: Account
) -> None:
    fake_spotify[0].valid_refresh_tokens.clear()
    source, _ = account_source(spotify_client, file_store, stored.with_changes(expires_at=0.0))
    with pytest.raises(SpotifyReauthRequiredError):
        await source.fetch_playback()
    assert (await file_store.get(stored.uid)).needs_relink
    with pytest.raises(SpotifyReauthRequiredError):
        await source.fetch_playback()
    assert fake_spotify[0].calls == {"token": 1}  # no more calls once re-link is needed


async def test_rotated_refresh_token_is_kept(
    fake_spotify: Fake, spotify_client: SpotifyClient, file_store: FileTokenStore, stored: Account
) -> None:
    fake_spotify[0].rotate_refresh_tokens = True
    _, tokens = account_source(spotify_client, file_store, stored)
    await tokens.refresh()
    assert (await file_store.get(stored.uid)).refresh_token == "refresh-1"


async def test_token_rotated_by_another_process_is_adopted(
    fake_spotify: Fake, spotify_client: SpotifyClient, file_store: FileTokenStore, stored: Account
) -> None:
    fake_spotify[0].valid_access_tokens.add("from-elsewhere")
    source, _ = account_source(spotify_client, file_store, stored)
    # Another writer (the HA integration, a second server) rotated the token meanwhile.
    await file_store.save_if_unchanged(
        stored.with_grant(TokenGrant("from-elsewhere", "refresh-0", time.time() + 3600))
    )
    fake_spotify[0].valid_access_tokens.discard("access-0")
    await source.fetch_playback()
    assert fake_spotify[0].calls["token"] == 0
    assert fake_spotify[0].access_tokens_seen[-1] == "from-elsewhere"


async def test_concurrent_refreshes_call_spotify_once(
    fake_spotify: Fake, spotify_client: SpotifyClient, file_store: FileTokenStore, stored: Account
) -> None:
    _, tokens = account_source(spotify_client, file_store, stored)
    stale = stored.access_token
    await asyncio.gather(*(tokens.refresh(stale_token=stale) for _ in range(5)))
    assert fake_spotify[0].calls["token"] == 1


class FlakyStore(FileTokenStore):
    """A real file store whose writes fail while `down` is set (a MongoDB outage, say)."""

    down = False

    async def save_if_unchanged(self, account: Account) -> Account:
        if self.down:
            raise StoreUnavailableError("store is down")
        return await super().save_if_unchanged(account)


async def test_store_outage_loses_no_token(
    fake_spotify: Fake, spotify_client: SpotifyClient, tmp_path: Any, linked_account: Account
) -> None:
    fake_spotify[0].rotate_refresh_tokens = True
    store = FlakyStore(tmp_path / "data")
    stored = await store.put(linked_account.with_changes(expires_at=0.0))
    source, _ = account_source(spotify_client, store, stored)
    store.down = True
    await source.fetch_playback()
    assert fake_spotify[0].access_tokens_seen == ["access-1"]  # served from memory
    assert (await store.get(stored.uid)).refresh_token == "refresh-0"
    store.down = False
    await source.fetch_playback()
    saved = await store.get(stored.uid)
    assert (saved.access_token, saved.refresh_token) == ("access-1", "refresh-1")
    assert fake_spotify[0].calls["token"] == 1


def with_artists(track_state: dict[str, Any], *ids: str) -> dict[str, Any]:
    state = {**track_state, "item": {**track_state["item"]}}
    state["item"]["artists"] = [{"id": artist_id, "name": artist_id} for artist_id in ids]
    return state


async def test_artist_genres_are_looked_up_once_per_artist_off_the_request_path(
    fake_spotify: Fake,
    spotify_client: SpotifyClient,
    file_store: FileTokenStore,
    stored: Account,
    track_state: dict[str, Any],
) -> None:
    fake = fake_spotify[0]
    fake.artist_genres = {"yoasobi": ["j-pop", "anime"], "ikura": ["j-pop", "japanese singer"]}
    fake.player_default = Reply(200, with_artists(track_state, "yoasobi", "ikura"))
    source, _ = account_source(spotify_client, file_store, stored)
    first = await source.fetch_playback()
    assert first.genres == ("j-pop", "anime", "japanese singer")
    await source.fetch_playback()
    # One call per artist, then the cache: polls cost one call each again.
    assert (fake.calls["artist"], fake.calls["player"], source.artist_lookups) == (2, 2, 2)
    assert fake.calls["batch"] == 0


async def test_a_long_feature_list_costs_at_most_two_lookups_and_a_failure_none(
    fake_spotify: Fake,
    spotify_client: SpotifyClient,
    file_store: FileTokenStore,
    stored: Account,
    track_state: dict[str, Any],
) -> None:
    fake = fake_spotify[0]
    fake.player_default = Reply(200, with_artists(track_state, "a", "b", "c", "d", "e"))
    source, _ = account_source(spotify_client, file_store, stored)
    await source.fetch_playback()
    assert fake.calls["artist"] == 2
    # The artist lookup fails: the poll still returns playback, and the lookup is retried.
    fake.artist_genres = {"f": ["mandopop"]}
    fake.player_default = Reply(200, with_artists(track_state, "f"))
    fake.artist_queue.append(Reply(503))
    assert (await source.fetch_playback()).genres == ()
    assert (await source.fetch_playback()).genres == ("mandopop",)
