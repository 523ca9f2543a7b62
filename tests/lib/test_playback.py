"""The playback model: every shape Spotify sends becomes a value, none crashes."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spotifylcd.exceptions import SpotifyInvalidResponseError
from spotifylcd.playback import Playback, PlaybackKind
from tests.lib.conftest import load_spotify_json


def test_track_from_captured_playback_state(track_state: dict[str, Any]) -> None:
    playback = Playback.from_spotify(track_state, fetched_at=50.0)
    assert playback == Playback(
        kind=PlaybackKind.TRACK,
        fetched_at=50.0,
        title="Paparazzi",
        artists=("Lady Gaga",),
        album="The Fame",
        device_name="DESKTOP-LE6DRS0",
        is_playing=True,
        progress_ms=160210,
        duration_ms=208306,
        item_uri="spotify:track:02XnQdf7sipaKBBHixz3Zp",
        volume_percent=23,
        artist_ids=("1HY2Jd0NmPuamShAr6KMms",),
    )


def test_currently_playing_body_has_no_device_but_parses() -> None:
    playback = Playback.from_spotify(load_spotify_json("currently_playing_track"), 0.0)
    assert playback.kind is PlaybackKind.TRACK
    assert playback.device_name == ""
    assert playback.title


def test_episode_shows_its_show_as_artist_and_album(episode_state: dict[str, Any]) -> None:
    playback = Playback.from_spotify(episode_state, 0.0)
    assert (playback.kind, playback.title, playback.artists, playback.album) == (
        PlaybackKind.EPISODE,
        "Ep. 12 — Dot matrices",
        ("Hardware Hour",),
        "Hardware Hour",
    )


def test_ad_has_no_item(ad_state: dict[str, Any]) -> None:
    playback = Playback.from_spotify(ad_state, 0.0)
    assert playback.kind is PlaybackKind.AD
    assert (playback.title, playback.duration_ms, playback.progress_ms) == ("", 0, 4000)


@pytest.mark.parametrize("playing_type", ["track", "unknown", "episode"])
def test_null_item_is_unknown(track_state: dict[str, Any], playing_type: str) -> None:
    state = {**track_state, "item": None, "currently_playing_type": playing_type}
    assert Playback.from_spotify(state, 0.0).kind is PlaybackKind.UNKNOWN


def test_local_file_without_ids(track_state: dict[str, Any]) -> None:
    state = copy.deepcopy(track_state)
    item = state["item"]
    item.update(is_local=True, id=None, uri="spotify:local:Artist:Album:Song:180", popularity=0)
    item["artists"] = [{"name": "Artist", "id": None, "uri": None}, {"name": ""}, {}]
    playback = Playback.from_spotify(state, 0.0)
    assert playback.is_local
    assert playback.artists == ("Artist",)


def test_private_session_is_flagged(track_state: dict[str, Any]) -> None:
    state = copy.deepcopy(track_state)
    state["device"]["is_private_session"] = True
    assert Playback.from_spotify(state, 0.0).private_session


@pytest.mark.parametrize("body", [[], "text", 3, None])
def test_non_object_body_is_an_invalid_response(body: object) -> None:
    with pytest.raises(SpotifyInvalidResponseError):
        Playback.from_spotify(body, 0.0)


def test_progress_is_extrapolated_while_playing_and_capped_at_duration(
    track_state: dict[str, Any],
) -> None:
    playback = Playback.from_spotify(track_state, fetched_at=100.0)
    assert playback.progress_at(110.0) == 170210
    assert playback.remaining_at(110.0) == 208306 - 170210
    assert playback.progress_at(10_000.0) == 208306
    assert playback.remaining_at(10_000.0) == 0
    assert playback.predicted_end() == pytest.approx(100.0 + (208306 - 160210) / 1000)


def test_progress_stands_still_while_paused(track_state: dict[str, Any]) -> None:
    playback = Playback.from_spotify({**track_state, "is_playing": False}, fetched_at=100.0)
    assert playback.progress_at(500.0) == 160210
    assert playback.predicted_end() is None


def test_idle_is_204() -> None:
    idle = Playback.idle(7.0)
    assert (idle.kind, idle.is_playing, idle.progress_at(99.0)) == (PlaybackKind.IDLE, False, 0)


def test_same_item_ignores_progress(track_state: dict[str, Any]) -> None:
    first = Playback.from_spotify(track_state, 0.0)
    later = Playback.from_spotify({**track_state, "progress_ms": 5}, 9.0)
    assert first.same_item(later)
    assert not first.same_item(Playback.idle(9.0))
    assert not first.same_item(None)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=25), children, max_size=6)
    ),
    max_leaves=30,
)


@given(
    st.fixed_dictionaries(
        {},
        optional={
            "device": json_values,
            "item": json_values,
            "progress_ms": json_values,
            "is_playing": json_values,
            "currently_playing_type": json_values,
        },
    )
)
def test_any_json_object_parses_without_crashing(state: dict[str, Any]) -> None:
    playback = Playback.from_spotify(state, 0.0)
    assert playback.progress_at(1.0) >= 0
    assert all(isinstance(name, str) and name for name in playback.artists)
