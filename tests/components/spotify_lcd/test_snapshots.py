"""Entity registry entries and states, compared with reviewed snapshots (syrupy)."""

from __future__ import annotations

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from .conftest import SetUp


@pytest.mark.freeze_time("2026-11-23 20:00:00+00:00")
@pytest.mark.usefixtures("playing")
async def test_entities(
    hass: HomeAssistant,
    set_up: SetUp,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The poll schedule's jitter, fixed: `lcd_payload` carries the next poll's time.
    monkeypatch.setattr("random.random", lambda: 0.5)
    snapshot = snapshot.use_extension(HomeAssistantSnapshotExtension)
    entry = await set_up()
    entries = er.async_entries_for_config_entry(entity_registry, entry.entry_id)
    assert sorted(e.entity_id for e in entries) == [
        "button.spotify_lcd_livingroom_next_track",
        "button.spotify_lcd_livingroom_play_pause",
        "button.spotify_lcd_livingroom_previous_track",
        "button.spotify_lcd_livingroom_volume_down",
        "button.spotify_lcd_livingroom_volume_up",
        "image.spotify_lcd_livingroom_lcd_preview",
        "sensor.spotify_lcd_livingroom_now_playing",
        "sensor.spotify_lcd_livingroom_playback_state",
    ]
    for entity_entry in entries:
        # Registry fields newer Home Assistant adds (2026.2+) or reshapes (aliases, 2026.4).
        assert entity_entry == snapshot(
            name=f"{entity_entry.entity_id}-entry",
            exclude=props("aliases", "object_id_base", "suggested_object_id"),
        )
        state = hass.states.get(entity_entry.entity_id)
        assert state is not None
        # The image proxy's access token is random per run.
        assert state == snapshot(
            name=f"{entity_entry.entity_id}-state", exclude=props("access_token", "entity_picture")
        )
