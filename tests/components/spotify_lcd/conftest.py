"""Fixtures for the integration: real HA core, application credentials, Spotify over HTTP."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from custom_components.spotify_lcd.const import (
    CONF_AUTHORIZED_AT,
    CONF_COUNTRY,
    CONF_DEVICE_KEY,
    CONF_UID,
    CONF_USER_ID,
    DOMAIN,
)
from homeassistant.components.application_credentials import (
    ClientCredential,
    async_import_client_credential,
)
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from tests.mongodb import mongodb_server  # noqa: F401 - a fixture

CLIENT_ID = "test-client-id"
CLIENT_SECRET = "test-client-secret"
API = "https://api.spotify.com/v1"
TOKEN_URL = "https://accounts.spotify.com/api/token"
AUTHORIZE_URL = "https://accounts.spotify.com/authorize"
PLAYER_URL = f"{API}/me/player"
DEVICE_KEY = "k3y-from-entry"
FIXTURES = Path(__file__).parents[2] / "fixtures" / "spotify"
ME = {"id": "wizzler", "display_name": "Wiz Zler", "country": "JP", "product": "premium"}


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
                "scope": "user-read-playback-state user-read-currently-playing",
            },
            CONF_USER_ID: "wizzler",
            CONF_COUNTRY: "JP",
            CONF_AUTHORIZED_AT: time.time(),
            CONF_UID: "livingroom",
            CONF_DEVICE_KEY: DEVICE_KEY,
        },
    )


@pytest.fixture
def playing(aioclient_mock: AiohttpClientMocker) -> dict[str, Any]:
    """Spotify plays the captured track."""
    state = spotify_json("playback_state_track")
    aioclient_mock.get(PLAYER_URL, json=state)
    return state


type SetUp = Callable[[], Awaitable[MockConfigEntry]]


@pytest.fixture
def set_up(hass: HomeAssistant, setup_credentials: None, config_entry: MockConfigEntry) -> SetUp:
    """Add the entry and set it up."""

    async def go() -> MockConfigEntry:
        config_entry.add_to_hass(hass)
        await hass.config_entries.async_setup(config_entry.entry_id)
        await hass.async_block_till_done()
        return config_entry

    return go
