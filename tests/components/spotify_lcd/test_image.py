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
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from spotifylcd.hd44780.cgram import PLAY
from spotifylcd.hd44780.rom import cgram_slot

from .conftest import PLAYER_URL, SetUp, advance

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
    await advance(hass, freezer, timedelta(seconds=5))
    assert aioclient_mock.call_count == 1
    same = hass.states.get(IMAGE)
    assert same is not None
    assert same.state == first.state
    aioclient_mock.clear_requests()
    aioclient_mock.get(PLAYER_URL, status=204)
    await advance(hass, freezer, timedelta(seconds=5))
    assert aioclient_mock.call_count == 1
    changed = hass.states.get(IMAGE)
    assert changed is not None
    assert changed.state != first.state


async def test_preview_shows_a_playing_track_as_playing_at_the_time_it_is_fetched(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    setup_credentials: None,
    playing: dict[str, Any],
    hass_client: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
) -> None:
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(config_entry, options={"size": "20x4"})
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    coordinator = config_entry.runtime_data.coordinator
    payload = coordinator.payload()
    # The play glyph, not the pause glyph of a frozen clock.
    assert payload["state"] == "playing"
    slot = cgram_slot(ord(str(payload["icon"])))
    assert slot is not None
    assert payload["glyphs"][slot] == PLAY.hex()
    client = await hass_client()
    first = await (await client.get(f"/api/image_proxy/{IMAGE}")).read()
    state = hass.states.get(IMAGE)
    # Three seconds on: before the next poll (5 s), so only the clock moved.
    freezer.tick(timedelta(seconds=3))
    later = await (await client.get(f"/api/image_proxy/{IMAGE}")).read()
    # The time on the glass moved on, while the entity wrote no new state.
    assert later != first
    after = hass.states.get(IMAGE)
    assert state is not None
    assert after is not None
    assert after.state == state.state
