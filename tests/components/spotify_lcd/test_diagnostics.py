"""Diagnostics never show a token, a secret, a device key or the Spotify user id."""

from __future__ import annotations

import json

import pytest
from custom_components.spotify_lcd.const import DOMAIN
from custom_components.spotify_lcd.diagnostics import async_get_config_entry_diagnostics
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from .conftest import CLIENT_ID, DEVICE_KEY, SetUp


@pytest.mark.usefixtures("playing")
async def test_diagnostics_are_redacted(
    hass: HomeAssistant, config_entry: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    # Application credentials added in the UI are named after the client id.
    assert await async_setup_component(hass, DOMAIN, {})
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {
            "type": "application_credentials/create",
            "domain": DOMAIN,
            "client_id": CLIENT_ID,
            "client_secret": "s3cret",
            "name": "My Spotify app",
        }
    )
    credential = (await client.receive_json())["result"]
    assert CLIENT_ID.replace("-", "_") in credential["id"]
    entry = config_entry
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, "auth_implementation": credential["id"]}
    )
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    text = json.dumps(diagnostics, default=str)
    for secret in (
        "access-0",
        "refresh-0",
        DEVICE_KEY,
        "wizzler",
        CLIENT_ID.replace("-", "_"),
        "Wiz Zler",
    ):
        assert secret not in text
    assert diagnostics["entry"]["data"]["token"] == "**REDACTED**"
    assert diagnostics["status"] == "ok"
    assert diagnostics["playback"]["title"] == "Paparazzi"


@pytest.mark.usefixtures("playing")
async def test_mongodb_credentials_are_redacted(hass: HomeAssistant, set_up: SetUp) -> None:
    entry = await set_up()
    hass.config_entries.async_update_entry(
        entry, options={**entry.options, "mongodb_uri": "mongodb://admin:hunter2@db.lan/"}
    )
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    assert "hunter2" not in json.dumps(diagnostics, default=str)
    assert diagnostics["entry"]["options"]["mongodb_uri"] == "**REDACTED**"
