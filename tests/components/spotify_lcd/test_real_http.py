"""The integration against a fake Spotify that is a real server, reached as users reach Spotify.

By host name through Home Assistant's own client session and resolver, with HA's detection of
blocking calls in the event loop switched on and the text engine's caches cold.
"""

from __future__ import annotations

import copy
import time
from typing import Any

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from tests.fake_spotify import FakeSpotify, Reply

from .conftest import DEVICE_KEY, SetUp, spotify_json

NOW_PLAYING = "sensor.spotify_lcd_livingroom_now_playing"
# Read at import: inside a test the read would itself be a blocking call in the loop.
TRACK_STATE = spotify_json("playback_state_track")


def playing(title: str, artist: str, album: str) -> dict[str, Any]:
    """Spotify's Get Playback State body for a track."""
    state = copy.deepcopy(TRACK_STATE)
    state["item"]["name"] = title
    state["item"]["artists"] = [{**state["item"]["artists"][0], "name": artist}]
    state["item"]["album"]["name"] = album
    state["item"]["uri"] = f"spotify:track:{abs(hash(title))}"
    return state


async def test_token_refresh_and_polls_go_to_spotify_by_host_name(
    hass: HomeAssistant,
    spotify_by_host_name: FakeSpotify,
    config_entry: MockConfigEntry,
    set_up: SetUp,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    fake = spotify_by_host_name
    fake.player_default = Reply(200, playing("Paparazzi", "Lady Gaga", "The Fame"))
    config_entry.data["token"]["expires_at"] = time.time() - 60
    entry = await set_up()
    assert entry.state is ConfigEntryState.LOADED
    # HA's OAuth session refreshed through the token endpoint, then the player answered.
    assert (fake.calls["token"], fake.calls["player"]) == (1, 1)
    assert fake.access_tokens_seen[-1] == "access-1"
    state = hass.states.get(NOW_PLAYING)
    assert state is not None
    assert state.state == "Paparazzi"
    client = await hass_client_no_auth()
    response = await client.post("/api/spotify_lcd/get", data={"uid": "livingroom"})
    assert response.status == 401
    response = await client.post(
        "/api/spotify_lcd/get", data={"uid": "livingroom", "key": DEVICE_KEY}
    )
    assert (await response.json())["song_title"] == "Paparazzi"


@pytest.mark.usefixtures("cold_text_caches", "blocking_call_detection")
async def test_first_japanese_korean_and_chinese_titles_block_nothing(
    hass: HomeAssistant,
    spotify_by_host_name: FakeSpotify,
    set_up: SetUp,
    hass_client_no_auth: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = spotify_by_host_name
    fake.player_default = Reply(200, playing("夜に駆ける", "YOASOBI", "THE BOOK"))
    entry = await set_up()
    assert entry.state is ConfigEntryState.LOADED
    coordinator = entry.runtime_data.coordinator
    client = await hass_client_no_auth()
    shown = []
    for title, artist, album in (
        ("夜に駆ける", "YOASOBI", "THE BOOK"),
        ("좋니", "윤종신", "좋니"),
        ("晴天", "周杰倫", "葉惠美"),
    ):
        fake.player_default = Reply(200, playing(title, artist, album))
        await coordinator.async_refresh()
        await hass.async_block_till_done()
        # The display's two payloads, the sensor's LCD lines and the preview image.
        for version in ("1", "2"):
            response = await client.post(
                "/api/spotify_lcd/get",
                data={"uid": "livingroom", "key": DEVICE_KEY, "v": version, "rom": "A00"},
            )
            assert response.status == 200
        v1 = await (
            await client.post("/api/spotify_lcd/get", data={"uid": "livingroom", "key": DEVICE_KEY})
        ).json()
        shown.append(v1["song_title"])
    # Romanized, not dropped (the readings themselves are the text engine's tests).
    assert all(title.isascii() and title.isprintable() and title for title in shown), shown
    assert shown[0] == "Yoru ni Kakeru"
    assert "Detected blocking call" not in caplog.text
