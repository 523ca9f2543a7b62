"""Fixtures for the integration: real HA core, application credentials, Spotify over HTTP."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import anyascii
import pytest
import pytest_socket
from aiohttp import web
from custom_components.spotify_lcd.const import (
    CONF_AUTHORIZED_AT,
    CONF_COUNTRY,
    CONF_DEVICE_KEY,
    CONF_UID,
    CONF_USER_ID,
    DOMAIN,
)
from freezegun.api import FrozenDateTimeFactory
from homeassistant import block_async_io
from homeassistant.components.application_credentials import (
    ClientCredential,
    async_import_client_credential,
)
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from homeassistant.util.loop import protect_loop
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from spotifylcd.spotify import SCOPES
from spotifylcd.text import japanese, to_ascii, track_text
from tests.fake_spotify import FakeSpotify
from tests.loopback import free_port
from tests.mongodb import mongodb_server  # noqa: F401 - a fixture

CLIENT_ID = "test-client-id"
CLIENT_SECRET = "test-client-secret"
API = "https://api.spotify.com/v1"
TOKEN_URL = "https://accounts.spotify.com/api/token"
AUTHORIZE_URL = "https://accounts.spotify.com/authorize"
PLAYER_URL = f"{API}/me/player"
DEVICE_KEY = "k3y-from-entry"
FIXTURES = Path(__file__).parents[2] / "fixtures" / "spotify"
# `GET /me` as development-mode apps get it since 2026-03-09: no country, product or email.
ME = {"id": "wizzler", "display_name": "Wiz Zler", "type": "user", "uri": "spotify:user:wizzler"}


def spotify_json(name: str) -> dict[str, Any]:
    """A captured Spotify response."""
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return data


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let HA load custom_components/spotify_lcd."""


@pytest.fixture
async def setup_credentials(hass: HomeAssistant) -> None:
    """The user's Spotify app, as application credentials."""
    assert await async_setup_component(hass, "application_credentials", {})
    await async_import_client_credential(
        hass, DOMAIN, ClientCredential(CLIENT_ID, CLIENT_SECRET), DOMAIN
    )


@pytest.fixture
def config_entry() -> MockConfigEntry:
    """A linked account as the config flow leaves it."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Wiz Zler",
        unique_id="wizzler",
        data={
            "auth_implementation": DOMAIN,
            "token": {
                "access_token": "access-0",
                "refresh_token": "refresh-0",
                "token_type": "Bearer",
                "expires_in": 3600,
                "expires_at": time.time() + 3600,
                "scope": " ".join(SCOPES),
            },
            CONF_USER_ID: "wizzler",
            CONF_COUNTRY: "",
            CONF_AUTHORIZED_AT: time.time(),
            CONF_UID: "livingroom",
            CONF_DEVICE_KEY: DEVICE_KEY,
        },
    )


@pytest.fixture
def playing(aioclient_mock: AiohttpClientMocker) -> dict[str, Any]:
    """Spotify plays the captured track."""
    state = spotify_json("playback_state_track")
    mock_player(aioclient_mock, state)
    return state


def mock_player(aioclient_mock: AiohttpClientMocker, state: dict[str, Any]) -> None:
    """Spotify answers `state`, and each of its artists' genres (looked up once per artist)."""
    aioclient_mock.get(PLAYER_URL, json=state)
    for artist in state["item"]["artists"]:
        aioclient_mock.get(f"{API}/artists/{artist['id']}", json={"genres": ["dance pop"]})


@pytest.fixture
async def spotify_by_host_name(
    socket_enabled: None,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[FakeSpotify]:
    """A fake Spotify as a real server, reached by name through HA's own session and resolver."""
    # The harness allows 127.0.0.1 only; `localhost` may also resolve to ::1 elsewhere.
    pytest_socket.socket_allow_hosts(["127.0.0.1", "::1"])
    fake = FakeSpotify()
    runner = web.AppRunner(fake.app())
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "localhost", port).start()
    monkeypatch.setenv("SPOTIFY_LCD_API_URL", f"http://localhost:{port}/v1")
    monkeypatch.setenv("SPOTIFY_LCD_ACCOUNTS_URL", f"http://localhost:{port}")
    yield fake
    await runner.cleanup()


@pytest.fixture
def cold_text_caches() -> None:
    """Forget every dictionary and table the text engine loaded, as in a freshly started HA."""
    anyascii._blocks.clear()
    japanese._kakasi.cache_clear()
    track_text.cache_clear()
    to_ascii.cache_clear()


@pytest.fixture
def blocking_call_detection() -> Iterator[None]:
    """HA's detection of blocking calls in the loop, every call as a real `hass` checks it.

    The harness leaves detection off, and `block_async_io.enable()` skips file I/O in tests.
    """
    loop_thread = threading.get_ident()
    calls = block_async_io._BLOCKING_CALLS
    for call in calls:
        setattr(
            call.object,
            call.function,
            protect_loop(
                call.original_func,
                strict=call.strict,
                strict_core=call.strict_core,
                check_allowed=call.check_allowed,
                loop_thread_id=loop_thread,
            ),
        )
    yield
    for call in calls:
        setattr(call.object, call.function, call.original_func)


type SetUp = Callable[[], Awaitable[MockConfigEntry]]


async def advance(hass: HomeAssistant, freezer: FrozenDateTimeFactory, delta: timedelta) -> None:
    """Move the clock on and run every timer due by then, whatever HA's random sub-second offset."""
    freezer.tick(delta)
    # HA schedules refreshes at a whole second plus up to 0.5 s, so a timer due "now + interval"
    # may sit just past the ticked clock; firing with a one-second look-ahead makes it due.
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=1))
    await hass.async_block_till_done()


@pytest.fixture
def set_up(hass: HomeAssistant, setup_credentials: None, config_entry: MockConfigEntry) -> SetUp:
    """Add the entry and set it up."""

    async def go() -> MockConfigEntry:
        config_entry.add_to_hass(hass)
        await hass.config_entries.async_setup(config_entry.entry_id)
        await hass.async_block_till_done()
        return config_entry

    return go
