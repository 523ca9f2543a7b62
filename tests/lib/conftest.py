"""Shared fixtures: real Spotify JSON, a fake Spotify on loopback, a real MongoDB server."""

from __future__ import annotations

import asyncio
import copy
import gc
import json
import time
import uuid
import warnings
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from hypothesis import HealthCheck, settings

from spotifylcd.account import Account
from spotifylcd.poller import PollPolicy
from spotifylcd.registry import AccountRegistry
from spotifylcd.spotify import SpotifyClient, SpotifyEndpoints
from spotifylcd.status import AccountStatus
from spotifylcd.store import FileTokenStore, TokenStore
from tests.fake_spotify import CLIENT_ID, CLIENT_SECRET, FakeSpotify, Reply
from tests.mongodb import mongodb_server  # noqa: F401 - a fixture

FIXTURES = Path(__file__).parent.parent / "fixtures" / "spotify"

# Shared 2-core CI machines make generation times noisy; correctness does not depend on them.
settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("default")


def load_spotify_json(name: str) -> dict[str, Any]:
    """A captured Spotify response from tests/fixtures/spotify/."""
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return data


@pytest.fixture
def track_state() -> dict[str, Any]:
    """GET /v1/me/player while a track plays (captured from Spotify)."""
    return load_spotify_json("playback_state_track")


@pytest.fixture
def episode_state(track_state: dict[str, Any]) -> dict[str, Any]:
    """A podcast episode, shaped as Spotify documents the EpisodeObject."""
    state = copy.deepcopy(track_state)
    state["currently_playing_type"] = "episode"
    state["progress_ms"] = 600_000
    state["item"] = {
        "type": "episode",
        "name": "Ep. 12 — Dot matrices",
        "uri": "spotify:episode:512ojhOuo1ktJprKbVcKyQ",
        "duration_ms": 1_800_000,
        "show": {"name": "Hardware Hour", "publisher": "Podcast Co"},
    }
    return state


@pytest.fixture
def ad_state(track_state: dict[str, Any]) -> dict[str, Any]:
    """An advertisement: Spotify sends no item."""
    state = copy.deepcopy(track_state)
    state["currently_playing_type"] = "ad"
    state["item"] = None
    state["progress_ms"] = 4_000
    return state


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def fake_spotify(
    aiohttp_server: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> tuple[FakeSpotify, SpotifyEndpoints]:
    """A fake Spotify, addressed by host name as Spotify is; SPOTIFY_LCD_* point at it too."""
    fake = FakeSpotify()
    server = await aiohttp_server(fake.app(), host="localhost")
    base = str(server.make_url("")).rstrip("/")
    endpoints = SpotifyEndpoints(api_url=f"{base}/v1", accounts_url=base)
    monkeypatch.setenv("SPOTIFY_LCD_API_URL", endpoints.api_url)
    monkeypatch.setenv("SPOTIFY_LCD_ACCOUNTS_URL", endpoints.accounts_url)
    return fake, endpoints


@pytest.fixture
async def http_session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def spotify_client(
    http_session: aiohttp.ClientSession, fake_spotify: tuple[FakeSpotify, SpotifyEndpoints]
) -> SpotifyClient:
    return SpotifyClient(http_session, fake_spotify[1], timeout=1.0)


@pytest.fixture
def linked_account() -> Account:
    """An account as `spotify-lcd link` leaves it, with a token valid for an hour."""
    return Account(
        uid="livingroom",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        access_token="access-0",
        refresh_token="refresh-0",
        expires_at=float(int(time.time()) + 3600),
        device_key="k3y-livingroom",
        spotify_user_id="wizzler",
    )


@pytest.fixture
def file_store(tmp_path: Path) -> FileTokenStore:
    return FileTokenStore(tmp_path / "data")


@pytest.fixture
def abandoned_mongodb_sockets() -> Iterator[None]:
    """For tests that point pymongo at a closed port with a short timeout.

    pymongo (4.20) leaves the socket of a connection attempt it abandons at its timeout for
    the garbage collector; such tests ignore ResourceWarning, and this collects the socket
    before the next test, where its warning would be an error.
    """
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


@pytest.fixture
def mongodb_database() -> str:
    """A database name of this test's own, so tests never see each other's documents."""
    return f"spotify-lcd-test-{uuid.uuid4().hex[:12]}"


# Every poll interval a minute: tests poll explicitly; the loops stay out of the way.
SLOW = PollPolicy(playing_interval=60.0, paused_interval=60.0, idle_interval=60.0, jitter=0.0)


async def settled(registry: AccountRegistry) -> None:
    """Wait for every priming poll (bounded, not timed)."""
    async with asyncio.timeout(5):
        while any(
            rt.poller.snapshot.status is AccountStatus.STARTING for rt in registry.runtimes()
        ):
            await asyncio.sleep(0.005)


async def make_registry(
    store: TokenStore, client: SpotifyClient, *, demo: bool = False
) -> AccountRegistry:
    registry = AccountRegistry(store, client, SLOW, demo=demo)
    await registry.start()
    await settled(registry)
    return registry


@pytest.fixture
async def registry(
    file_store: FileTokenStore,
    spotify_client: SpotifyClient,
    linked_account: Account,
    fake_spotify: tuple[FakeSpotify, SpotifyEndpoints],
    track_state: dict[str, Any],
) -> AsyncIterator[AccountRegistry]:
    fake_spotify[0].player_default = Reply(200, track_state)
    await file_store.put(linked_account)
    await file_store.put(linked_account.with_changes(uid="legacy", device_key=None, keyless=True))
    registry = await make_registry(file_store, spotify_client, demo=True)
    yield registry
    await registry.stop()
