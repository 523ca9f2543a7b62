"""Playback controls from Home Assistant: buttons, the displays' `/control`, and refusals.

Against the fake Spotify as a real server reached by host name: it records each command.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from custom_components.spotify_lcd.const import DOMAIN
from custom_components.spotify_lcd.repairs import controls_issue_id
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from tests.fake_spotify import FakeSpotify, Reply

from .conftest import DEVICE_KEY, SetUp, spotify_json

CONTROL = "/api/spotify_lcd/control"
GET = "/api/spotify_lcd/get"
TRACK = spotify_json("playback_state_track")


def track(title: str, *, playing: bool = True) -> dict[str, Any]:
    state = copy.deepcopy(TRACK)
    state["item"]["name"] = title
    state["item"]["uri"] = f"spotify:track:{title}"
    state["is_playing"] = playing
    return state


@pytest.fixture
def spotify(spotify_by_host_name: FakeSpotify) -> FakeSpotify:
    spotify_by_host_name.player_default = Reply(200, track("Paparazzi"))
    return spotify_by_host_name


@pytest.mark.parametrize(
    ("button", "command"),
    [
        ("play_pause", ("pause", {})),
        ("next_track", ("next", {})),
        ("previous_track", ("previous", {})),
        ("volume_up", ("volume", {"volume_percent": "33"})),
        ("volume_down", ("volume", {"volume_percent": "13"})),
    ],
)
async def test_each_button_reaches_spotify_then_polls(
    hass: HomeAssistant,
    spotify: FakeSpotify,
    set_up: SetUp,
    button: str,
    command: tuple[str, dict[str, str]],
) -> None:
    await set_up()
    polls = spotify.calls["player"]
    await hass.services.async_call(
        "button", "press", {"entity_id": f"button.spotify_lcd_livingroom_{button}"}, blocking=True
    )
    assert spotify.commands == [command]
    assert spotify.calls["player"] == polls + 1


async def test_a_display_sees_its_skip_in_the_next_answer(
    hass: HomeAssistant,
    spotify: FakeSpotify,
    set_up: SetUp,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    await set_up()
    spotify.on_command = lambda _command: setattr(
        spotify, "player_default", Reply(200, track("Bad Romance"))
    )
    client = await hass_client_no_auth()
    fields = {"uid": "livingroom", "key": DEVICE_KEY}
    response = await client.post(CONTROL, data={**fields, "action": "next"})
    assert (response.status, await response.json()) == (200, {"ok": True, "action": "next"})
    # The poll ran before /control answered: the very next /get has the new track.
    body = await (await client.post(GET, data=fields)).json()
    assert body["song_title"] == "Bad Romance"


@pytest.mark.parametrize(
    ("scene", "status", "error", "translation_key"),
    [
        ("no_device", 404, "no_active_device", "no_active_device"),
        ("no_premium", 403, "premium_required", "premium_required"),
        ("rate_limited", 429, "rate_limited", "rate_limited"),
    ],
)
async def test_what_spotify_refuses_is_told_clearly(
    hass: HomeAssistant,
    spotify: FakeSpotify,
    set_up: SetUp,
    hass_client_no_auth: ClientSessionGenerator,
    scene: str,
    status: int,
    error: str,
    translation_key: str,
) -> None:
    await set_up()
    if scene == "no_device":
        spotify.active_device = False
    elif scene == "no_premium":
        spotify.command_queue.extend(
            [Reply(403, {"error": {"status": 403, "reason": "PREMIUM_REQUIRED"}})] * 2
        )
    else:
        spotify.command_queue.extend([Reply(429, {}, {"Retry-After": "9"})] * 2)
    client = await hass_client_no_auth()
    response = await client.post(
        CONTROL, data={"uid": "livingroom", "key": DEVICE_KEY, "action": "next"}
    )
    assert (response.status, (await response.json())["error"]) == (status, error)
    if status == 429:
        assert response.headers["Retry-After"] == "9"
    with pytest.raises(HomeAssistantError) as refused:
        await hass.services.async_call(
            "button",
            "press",
            {"entity_id": "button.spotify_lcd_livingroom_next_track"},
            blocking=True,
        )
    assert refused.value.translation_key == translation_key
    assert spotify.commands == []


async def test_an_older_link_is_asked_to_relink_for_controls(
    hass: HomeAssistant,
    spotify: FakeSpotify,
    config_entry: MockConfigEntry,
    set_up: SetUp,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    config_entry.data["token"]["scope"] = "user-read-playback-state user-read-currently-playing"
    entry = await set_up()
    issue = ir.async_get(hass).async_get_issue(DOMAIN, controls_issue_id(entry))
    assert issue is not None
    assert issue.is_fixable
    client = await hass_client_no_auth()
    response = await client.post(
        CONTROL, data={"uid": "livingroom", "key": DEVICE_KEY, "action": "toggle"}
    )
    assert (response.status, (await response.json())["error"]) == (403, "relink_for_controls")
    # Showing what plays still works.
    body = await (await client.post(GET, data={"uid": "livingroom", "key": DEVICE_KEY})).json()
    assert body["song_title"] == "Paparazzi"
    assert spotify.commands == []


async def test_keyless_displays_control_only_when_allowed(
    hass: HomeAssistant,
    spotify: FakeSpotify,
    set_up: SetUp,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    entry = await set_up()
    hass.config_entries.async_update_entry(entry, options={"keyless": True})
    await hass.async_block_till_done()
    client = await hass_client_no_auth()
    keyless = {"uid": "livingroom", "action": "toggle"}
    response = await client.post(CONTROL, data=keyless)
    assert (response.status, (await response.json())["error"]) == (403, "controls_not_allowed")
    hass.config_entries.async_update_entry(
        entry, options={"keyless": True, "keyless_control": True}
    )
    await hass.async_block_till_done()
    response = await client.post(CONTROL, data=keyless)
    assert response.status == 200
    assert spotify.commands == [("pause", {})]


async def test_bad_control_requests_are_json_errors(
    hass: HomeAssistant,
    spotify: FakeSpotify,
    set_up: SetUp,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    await set_up()
    client = await hass_client_no_auth()
    for fields, status, error in (
        ({"uid": "livingroom", "key": DEVICE_KEY, "action": "rewind"}, 400, "invalid_action"),
        ({"uid": "livingroom", "key": "wrong", "action": "next"}, 403, "wrong_key"),
        ({"uid": "nobody", "key": DEVICE_KEY, "action": "next"}, 404, "unknown_uid"),
        ({"key": DEVICE_KEY, "action": "next"}, 400, "missing_uid"),
    ):
        response = await client.post(CONTROL, data=fields)
        assert (response.status, (await response.json())["error"]) == (status, error)
    assert spotify.commands == []
