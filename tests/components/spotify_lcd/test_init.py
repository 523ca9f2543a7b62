"""Setup, token failures, polling policy, sensors, unload."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import ClientConnectionError
from custom_components.spotify_lcd.const import DOMAIN
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from .conftest import PLAYER_URL, TOKEN_URL, SetUp, advance, mock_player, spotify_json

NOW_PLAYING = "sensor.spotify_lcd_livingroom_now_playing"
STATE = "sensor.spotify_lcd_livingroom_playback_state"


@pytest.mark.usefixtures("playing")
async def test_setup_creates_the_sensors(hass: HomeAssistant, set_up: SetUp) -> None:
    entry = await set_up()
    assert entry.state is ConfigEntryState.LOADED
    now_playing = hass.states.get(NOW_PLAYING)
    assert now_playing is not None
    assert now_playing.state == "Paparazzi"
    attributes = now_playing.attributes
    assert (
        attributes["artists"],
        attributes["album"],
        attributes["device"],
        attributes["kind"],
    ) == (
        ["Lady Gaga"],
        "The Fame",
        "DESKTOP-LE6DRS0",
        "track",
    )
    assert (attributes["duration"], attributes["position"]) == (208.306, 160.21)
    assert attributes["lcd_lines"] == ["Paparazzi       ", "Lady Gaga       "]
    state = hass.states.get(STATE)
    assert state is not None
    assert state.state == "playing"
    registry = er.async_get(hass)
    entity = registry.async_get(NOW_PLAYING)
    assert entity is not None
    assert (entity.unique_id, entity.translation_key) == ("wizzler_now_playing", "now_playing")


async def test_unchanged_track_writes_no_new_state(
    hass: HomeAssistant,
    set_up: SetUp,
    aioclient_mock: AiohttpClientMocker,
    playing: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    await set_up()
    first = hass.states.get(NOW_PLAYING)
    assert first is not None
    polls = 0
    for step in range(1, 6):
        # Spotify reports progress moving with the clock: same track, no seek.
        aioclient_mock.clear_requests()
        aioclient_mock.get(
            PLAYER_URL, json={**playing, "progress_ms": playing["progress_ms"] + 5000 * step}
        )
        await advance(hass, freezer, timedelta(seconds=5))
        polls += aioclient_mock.call_count
    assert polls == 5
    last = hass.states.get(NOW_PLAYING)
    assert last is not None
    assert last.last_updated == first.last_updated
    assert last.attributes == first.attributes


async def test_seek_or_new_track_updates_position(
    hass: HomeAssistant, set_up: SetUp, aioclient_mock: AiohttpClientMocker, playing: dict[str, Any]
) -> None:
    await set_up()
    aioclient_mock.clear_requests()
    aioclient_mock.get(PLAYER_URL, json={**playing, "progress_ms": 10_000})
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=10))
    await hass.async_block_till_done()
    state = hass.states.get(NOW_PLAYING)
    assert state is not None
    assert state.attributes["position"] == 10.0


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ({"status": 204}, "idle"),
        ({"json": {"currently_playing_type": "ad", "item": None, "is_playing": True}}, "ad"),
    ],
)
async def test_playback_state_sensor(
    hass: HomeAssistant,
    set_up: SetUp,
    aioclient_mock: AiohttpClientMocker,
    reply: dict[str, Any],
    expected: str,
) -> None:
    aioclient_mock.get(PLAYER_URL, **reply)
    await set_up()
    state = hass.states.get(STATE)
    assert state is not None
    assert state.state == expected
    now_playing = hass.states.get(NOW_PLAYING)
    assert now_playing is not None


async def test_paused_track(
    hass: HomeAssistant, set_up: SetUp, aioclient_mock: AiohttpClientMocker
) -> None:
    mock_player(aioclient_mock, {**spotify_json("playback_state_track"), "is_playing": False})
    entry = await set_up()
    state = hass.states.get(STATE)
    assert state is not None
    assert state.state == "paused"
    # The library's paused interval, spread over its 10 % jitter centred on it.
    interval = entry.runtime_data.coordinator.update_interval
    assert interval is not None
    assert timedelta(seconds=14.25) <= interval <= timedelta(seconds=15.75)


@pytest.mark.parametrize(
    ("status", "entry_state"),
    [(400, ConfigEntryState.SETUP_ERROR), (500, ConfigEntryState.SETUP_RETRY)],
)
async def test_token_refresh_failures(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    set_up: SetUp,
    aioclient_mock: AiohttpClientMocker,
    status: int,
    entry_state: ConfigEntryState,
) -> None:
    config_entry.data["token"]["expires_at"] = 0
    aioclient_mock.post(TOKEN_URL, status=status)
    entry = await set_up()
    assert entry.state is entry_state
    reauth = [
        flow
        for flow in hass.config_entries.flow.async_progress()
        if flow["context"]["source"] == "reauth"
    ]
    assert bool(reauth) is (status == 400)


@pytest.mark.parametrize(
    ("reply", "entry_state", "issue"),
    [
        ({"status": 500}, ConfigEntryState.SETUP_RETRY, False),
        ({"status": 429, "headers": {"Retry-After": "30"}}, ConfigEntryState.SETUP_RETRY, False),
        (
            {"status": 403, "json": {"error": {"status": 403, "message": "Premium"}}},
            ConfigEntryState.SETUP_RETRY,
            True,
        ),
        ({"status": 200, "text": "{garbage"}, ConfigEntryState.SETUP_RETRY, False),
    ],
)
async def test_spotify_failures_at_setup(
    hass: HomeAssistant,
    set_up: SetUp,
    aioclient_mock: AiohttpClientMocker,
    reply: dict[str, Any],
    entry_state: ConfigEntryState,
    issue: bool,
) -> None:
    aioclient_mock.get(PLAYER_URL, **reply)
    entry = await set_up()
    assert entry.state is entry_state
    assert (
        ir.async_get(hass).async_get_issue(DOMAIN, f"forbidden_{entry.entry_id}") is not None
    ) is issue


async def test_rejected_access_token_is_refreshed_once(
    hass: HomeAssistant, set_up: SetUp, aioclient_mock: AiohttpClientMocker
) -> None:
    aioclient_mock.get(PLAYER_URL, status=401)
    aioclient_mock.post(
        TOKEN_URL, json={"access_token": "access-2", "token_type": "Bearer", "expires_in": 3600}
    )
    entry = await set_up()
    # Still 401 with a fresh token: Spotify trouble, retried with back-off as the standalone
    # server does; only a refused refresh token asks the user for a new link.
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert entry.data["token"]["access_token"] == "access-2"
    player_calls = [call for call in aioclient_mock.mock_calls if "/me/player" in str(call[1])]
    assert len(player_calls) == 2


async def test_network_error_at_setup_retries(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    set_up: SetUp,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    config_entry.data["token"]["expires_at"] = 0
    aioclient_mock.post(TOKEN_URL, exc=ClientConnectionError())
    entry = await set_up()
    assert entry.state is ConfigEntryState.SETUP_RETRY


@pytest.mark.usefixtures("playing")
async def test_unload(hass: HomeAssistant, set_up: SetUp) -> None:
    entry = await set_up()
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED


async def test_retry_after_sets_the_next_poll(
    hass: HomeAssistant, set_up: SetUp, aioclient_mock: AiohttpClientMocker, playing: dict[str, Any]
) -> None:
    entry = await set_up()
    coordinator = entry.runtime_data.coordinator
    aioclient_mock.clear_requests()
    aioclient_mock.get(PLAYER_URL, status=429, headers={"Retry-After": "42"})
    await coordinator.async_refresh()
    interval = coordinator.update_interval
    assert interval is not None
    assert timedelta(seconds=42) <= interval <= timedelta(seconds=42 * 1.1)
    assert coordinator.snapshot().stale
    state = hass.states.get(STATE)
    assert state is not None
    assert state.state == "unavailable"


@pytest.mark.usefixtures("playing")
async def test_lcd_payload_attribute_is_the_v2_payload(hass: HomeAssistant, set_up: SetUp) -> None:
    await set_up()
    state = hass.states.get(NOW_PLAYING)
    assert state is not None
    payload = json.loads(state.attributes["lcd_payload"])
    assert (payload["v"], payload["state"], payload["title"], payload["rom"]) == (
        2,
        "playing",
        "Paparazzi",
        "A00",
    )
    assert payload["progress"] == 160210


@pytest.mark.usefixtures("playing", "setup_credentials")
async def test_entries_from_1_1_get_lower_case_rom_options(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=config_entry.title,
        unique_id=config_entry.unique_id,
        data=dict(config_entry.data),
        options={"rom": "A02", "size": "20x4"},
        version=1,
        minor_version=1,
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert (entry.minor_version, dict(entry.options)) == (2, {"rom": "a02", "size": "20x4"})
    assert entry.runtime_data.coordinator.account.display_settings().rom.value == "A02"


@pytest.mark.usefixtures("playing")
async def test_lcd_attributes_are_kept_out_of_the_recorder(
    hass: HomeAssistant, set_up: SetUp
) -> None:
    await set_up()
    state = hass.states.get(NOW_PLAYING)
    assert state is not None
    assert state.state_info is not None
    assert {"lcd_payload", "lcd_lines"} <= state.state_info["unrecorded_attributes"]


@pytest.mark.usefixtures("playing")
async def test_lcd_payload_polls_on_the_playing_schedule(
    hass: HomeAssistant, set_up: SetUp
) -> None:
    await set_up()
    state = hass.states.get(NOW_PLAYING)
    assert state is not None
    payload = json.loads(state.attributes["lcd_payload"])
    # Playing: the next Spotify call is ~5 s away, not the 30 s idle ceiling.
    assert 5000 <= payload["next_poll"] <= 5500 + 250


async def test_playback_state_is_unavailable_not_a_state_while_spotify_fails(
    hass: HomeAssistant, set_up: SetUp, aioclient_mock: AiohttpClientMocker, playing: dict[str, Any]
) -> None:
    entry = await set_up()
    state = hass.states.get(STATE)
    assert state is not None
    assert state.attributes["options"] == ["playing", "paused", "idle", "ad"]
    aioclient_mock.clear_requests()
    aioclient_mock.get(PLAYER_URL, status=500)
    await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    failing = hass.states.get(STATE)
    assert failing is not None
    assert failing.state == STATE_UNAVAILABLE
    # The displays still get the last track, flagged stale.
    assert entry.runtime_data.coordinator.snapshot().stale


async def test_recovery_is_noticed_within_half_a_minute_after_any_outage(
    hass: HomeAssistant,
    set_up: SetUp,
    aioclient_mock: AiohttpClientMocker,
    playing: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    entry = await set_up()
    coordinator = entry.runtime_data.coordinator
    calls = 0
    # A minute of rate limiting, then two minutes of 5xx: errors of two kinds.
    for reply in [{"status": 429, "headers": {"Retry-After": "5"}}] * 12 + [{"status": 503}] * 10:
        aioclient_mock.clear_requests()
        aioclient_mock.get(PLAYER_URL, **reply)
        # Each refresh when it is due: a refresh before Spotify's wait is over calls nobody.
        freezer.tick(coordinator.update_interval or timedelta())
        await coordinator.async_refresh()
        calls += aioclient_mock.call_count
    assert calls == 22
    interval = coordinator.update_interval
    assert interval is not None
    assert interval <= timedelta(seconds=30 * 1.1)


async def test_lcd_payload_follows_the_display_when_nothing_plays(
    hass: HomeAssistant, set_up: SetUp, aioclient_mock: AiohttpClientMocker, playing: dict[str, Any]
) -> None:
    entry = await set_up()
    aioclient_mock.clear_requests()
    aioclient_mock.get(PLAYER_URL, status=204)
    await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    state = hass.states.get(NOW_PLAYING)
    assert state is not None
    # No item attributes, but the native-API display still learns that playback stopped.
    assert "artists" not in state.attributes
    assert json.loads(state.attributes["lcd_payload"])["state"] == "idle"
