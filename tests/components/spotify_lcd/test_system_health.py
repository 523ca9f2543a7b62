"""System health reports Spotify's reachability and the accounts."""

from __future__ import annotations

import pytest
from custom_components.spotify_lcd.const import DOMAIN
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import get_system_health_info
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from .conftest import API, SetUp


@pytest.mark.usefixtures("playing")
async def test_system_health(
    hass: HomeAssistant, set_up: SetUp, aioclient_mock: AiohttpClientMocker
) -> None:
    aioclient_mock.get(API, text="")
    await set_up()
    assert await async_setup_component(hass, "system_health", {})
    await hass.async_block_till_done()
    info = await get_system_health_info(hass, DOMAIN)
    for key, value in info.items():
        if hasattr(value, "__await__"):
            info[key] = await value
    assert info == {
        "can_reach_spotify": "ok",
        "accounts": 1,
        "accounts_polling": 1,
        "accounts_needing_relink": 0,
    }
