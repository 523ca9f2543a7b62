"""Diagnostics never show a token, a secret, a device key or the Spotify user id."""

from __future__ import annotations

import json

import pytest
from custom_components.spotify_lcd.diagnostics import async_get_config_entry_diagnostics
from homeassistant.core import HomeAssistant

from .conftest import DEVICE_KEY, SetUp


@pytest.mark.usefixtures("playing")
async def test_diagnostics_are_redacted(hass: HomeAssistant, set_up: SetUp) -> None:
    entry = await set_up()
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    text = json.dumps(diagnostics, default=str)
    for secret in ("access-0", "refresh-0", DEVICE_KEY, "wizzler"):
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
