"""The LCD preview image: a PNG of the glass, redrawn only when the item changes."""

from __future__ import annotations

import io
from datetime import timedelta
from http import HTTPStatus
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from PIL import Image
from pytest_homeassistant_custom_component.common import async_fire_time_changed
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from .conftest import PLAYER_URL, SetUp

IMAGE = "image.spotify_lcd_livingroom_lcd_preview"


@pytest.mark.usefixtures("playing")
async def test_preview_is_a_png_of_the_lcd(
    hass: HomeAssistant, set_up: SetUp, hass_client: ClientSessionGenerator
) -> None:
    await set_up()
    state = hass.states.get(IMAGE)
    assert state is not None
    client = await hass_client()
    response = await client.get(f"/api/image_proxy/{IMAGE}")
    assert response.status == HTTPStatus.OK
    assert response.content_type == "image/png"
    with Image.open(io.BytesIO(await response.read())) as image:
        assert image.format == "PNG"
        assert image.size == (2 * 24 + 16 * 24 + 15 * 4, 2 * 24 + 2 * 39 + 4)


async def test_preview_changes_with_the_item_only(
    hass: HomeAssistant,
    set_up: SetUp,
    aioclient_mock: AiohttpClientMocker,
    playing: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    await set_up()
    first = hass.states.get(IMAGE)
    assert first is not None
    aioclient_mock.clear_requests()
    aioclient_mock.get(PLAYER_URL, json={**playing, "progress_ms": playing["progress_ms"] + 5000})
    freezer.tick(timedelta(seconds=5))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    same = hass.states.get(IMAGE)
    assert same is not None
    assert same.state == first.state
    aioclient_mock.clear_requests()
    aioclient_mock.get(PLAYER_URL, status=204)
    freezer.tick(timedelta(seconds=6))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    changed = hass.states.get(IMAGE)
    assert changed is not None
    assert changed.state != first.state
