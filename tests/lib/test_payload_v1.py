"""The v1 `/get` body: the old middleware's exact JSON, ASCII only, always within 512 bytes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spotifylcd.arduinojson import LEGACY_POOL_BYTES, pool_bytes
from spotifylcd.payload import artist_string, v1_payload
from spotifylcd.playback import Playback, PlaybackKind
from spotifylcd.status import AccountStatus, Snapshot

V1_KEYS = [
    "api_response",
    "song_title",
    "artist_string",
    "artist_full",
    "device_name",
    "status",
    "timer",
    "duration",
    "current",
]


def ok(playback: Playback) -> Snapshot:
    return Snapshot(AccountStatus.OK, playback)


def test_track_is_the_old_middlewares_json(track_state: dict[str, Any]) -> None:
    playback = Playback.from_spotify(track_state, fetched_at=10.0)
    payload = v1_payload(ok(playback), now=12.5)
    assert list(payload) == V1_KEYS
    assert payload == {
        "api_response": 200,
        "song_title": "Paparazzi",
        "artist_string": "Lady Gaga",
        "artist_full": ["Lady Gaga"],
        "device_name": "DESKTOP-LE6DRS0",
        "status": True,
        "timer": 208306 - 162710,
        "duration": 208306,
        "current": 162710,
    }


@pytest.mark.parametrize(
    ("artists", "expected"),
    [
        ((), ""),
        (("A",), "A"),
        (("A", "B"), "A and B"),
        (("A", "B", "C"), "A etc"),
        (("A", "B", "C", "D", "E"), "A etc"),
    ],
)
def test_artist_string_rule(artists: tuple[str, ...], expected: str) -> None:
    assert artist_string(artists) == expected


def test_non_ascii_is_transliterated_not_question_marks(track_state: dict[str, Any]) -> None:
    state = {**track_state, "item": {**track_state["item"], "name": "Кукла колдуна"}}
    state["item"]["artists"] = [{"name": "Король и Шут"}, {"name": "Édith Piaf"}]
    payload = v1_payload(ok(Playback.from_spotify(state, 0.0)), 0.0)
    assert payload["song_title"] == "Kukla kolduna"
    assert payload["artist_string"] == "Korol' i Shut and Edith Piaf"
    assert payload["artist_full"] == ["Korol' i Shut", "Edith Piaf"]
    assert "?" not in json.dumps(payload)


def test_episode_and_ad(episode_state: dict[str, Any], ad_state: dict[str, Any]) -> None:
    episode = v1_payload(ok(Playback.from_spotify(episode_state, 0.0)), 0.0)
    assert (episode["song_title"], episode["artist_string"]) == (
        "Ep. 12 - Dot matrices",
        "Hardware Hour",
    )
    ad = v1_payload(ok(Playback.from_spotify(ad_state, 0.0)), 0.0)
    assert (ad["api_response"], ad["song_title"], ad["artist_string"]) == (
        200,
        "Advertisement",
        "Spotify",
    )


def test_unknown_item_in_private_session(track_state: dict[str, Any]) -> None:
    state = {
        **track_state,
        "item": None,
        "device": {**track_state["device"], "is_private_session": True},
    }
    payload = v1_payload(ok(Playback.from_spotify(state, 0.0)), 0.0)
    assert payload["song_title"] == "Private session"


@pytest.mark.parametrize(
    ("snapshot", "expected"),
    [
        (Snapshot(AccountStatus.OK, Playback.idle(0.0)), {"api_response": 204}),
        (Snapshot(AccountStatus.STARTING), {"api_response": 204}),
        (Snapshot(AccountStatus.NEEDS_RELINK), {"api_response": 401}),
        (Snapshot(AccountStatus.FORBIDDEN), {"api_response": 403}),
        (Snapshot(AccountStatus.RATE_LIMITED), {"api_response": 429}),
        (Snapshot(AccountStatus.STALE), {"api_response": 503}),
    ],
)
def test_status_only_answers(snapshot: Snapshot, expected: dict[str, int]) -> None:
    assert v1_payload(snapshot, 0.0) == expected


def test_relink_wins_over_a_cached_track(track_state: dict[str, Any]) -> None:
    playback = Playback.from_spotify(track_state, 0.0)
    assert v1_payload(Snapshot(AccountStatus.NEEDS_RELINK, playback), 0.0) == {"api_response": 401}


def test_stale_track_is_still_served(track_state: dict[str, Any]) -> None:
    playback = Playback.from_spotify(track_state, 0.0)
    assert v1_payload(Snapshot(AccountStatus.STALE, playback), 1.0)["current"] == 161210


def test_pool_model_counts_slots_keys_and_strings() -> None:
    # 2 members (32) + keys "a","bb" (2+3) + string "xyz" (4) + array of 2 elements (32) + "q" (2)
    assert pool_bytes({"a": "xyz", "bb": ["q", 5]}) == 32 + 5 + 4 + 32 + 2


def test_long_fields_are_shortened_to_fit(track_state: dict[str, Any]) -> None:
    state = {**track_state, "item": {**track_state["item"], "name": "T" * 600}}
    state["item"]["artists"] = [{"name": f"Artist number {n}" * 3} for n in range(20)]
    state["device"] = {**track_state["device"], "name": "D" * 300}
    payload = v1_payload(ok(Playback.from_spotify(state, 0.0)), 0.0)
    assert pool_bytes(payload) <= LEGACY_POOL_BYTES
    assert payload["artist_full"] == ["Artist number 0Artist number 0Artist number 0"]
    assert payload["artist_string"] == "Artist number 0Artist number 0Artist number 0 etc"
    # The title and the device name share what is left; neither is dropped.
    assert str(payload["song_title"]).startswith("TTTT")
    assert str(payload["device_name"]).startswith("DDDD")
    assert abs(len(str(payload["song_title"])) - len(str(payload["device_name"]))) <= 1
    assert pool_bytes(payload) > LEGACY_POOL_BYTES - 4


printable = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=400)


@given(
    title=printable,
    artists=st.lists(printable, max_size=12),
    album=printable,
    device=printable,
    playing_type=st.sampled_from(["track", "episode", "ad", "unknown"]),
    duration=st.integers(min_value=0, max_value=2**40),
    progress=st.integers(min_value=0, max_value=2**40),
)
def test_every_v1_body_fits_the_legacy_pool_and_is_printable_ascii(
    title: str,
    artists: list[str],
    album: str,
    device: str,
    playing_type: str,
    duration: int,
    progress: int,
) -> None:
    item = {
        "type": playing_type,
        "name": title,
        "duration_ms": duration,
        "artists": [{"name": name} for name in artists],
        "album": {"name": album},
        "show": {"name": album},
    }
    state = {
        "device": {"name": device},
        "progress_ms": progress,
        "is_playing": True,
        "currently_playing_type": playing_type,
        "item": item,
    }
    payload = v1_payload(ok(Playback.from_spotify(state, 0.0)), 3.0)
    assert pool_bytes(payload) <= LEGACY_POOL_BYTES
    body = json.dumps(payload, ensure_ascii=False)
    assert body.isascii()
    for value in payload.values():
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str):
                assert text.isprintable()
                assert "  " not in text
                assert text == text.strip()


def test_kind_enum_is_exhaustive_in_v1(track_state: dict[str, Any]) -> None:
    # Every kind produces an answer; none raises.
    for kind in PlaybackKind:
        state = {**track_state, "currently_playing_type": kind.value}
        assert "api_response" in v1_payload(ok(Playback.from_spotify(state, 0.0)), 0.0)
