"""The v1 `/get` body: the old middleware's exact JSON, ASCII only, always within 512 bytes."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spotifylcd.arduinojson import RELEASES, Json, pool_bytes, worst_pool_bytes
from spotifylcd.payload import (
    LEGACY_BUDGET_BYTES,
    LEGACY_STALE_GRACE_S,
    LONGEST_MS,
    UNTITLED,
    artist_string,
    v1_payload,
)
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
    document: Json = {"a": "xyz", "bb": ["q", 5], "c": "q"}
    # 5 slots (3 members, 2 elements); keys "a","bb","c" (2+3+2); strings "xyz","q","q" (4+2+2)
    assert [pool_bytes(document, release) for release in RELEASES] == [
        5 * 16 + 7 + 8,  # 6.7-6.15: every string copied
        5 * 16 + 7 + 6,  # 6.16 on: the second "q" is the first one
        5 * 24 + 7 + 6,  # 6.17.1-6.18.5 without ARDUINO: 32-bit slot offsets, 8-byte aligned
    ]
    assert worst_pool_bytes(document) == 5 * 24 + 13


def test_long_fields_are_shortened_to_fit(track_state: dict[str, Any]) -> None:
    state = {**track_state, "item": {**track_state["item"], "name": "T" * 600}}
    state["item"]["artists"] = [{"name": f"Artist number {n}" * 3} for n in range(20)]
    state["device"] = {**track_state["device"], "name": "D" * 300}
    payload = v1_payload(ok(Playback.from_spotify(state, 0.0)), 0.0)
    assert worst_pool_bytes(payload) <= LEGACY_BUDGET_BYTES
    # Extra artists go first; then the longest strings are cut to one length, none dropped.
    assert payload["artist_full"] == ["Artist number 0Artist number 0Artist number 0"]
    assert payload["artist_string"] == "Artist number 0Artist number 0Artist number 0"
    assert str(payload["song_title"]).startswith("TTTT")
    assert str(payload["device_name"]).startswith("DDDD")
    assert len(str(payload["song_title"])) == len(str(payload["device_name"])) == 46
    # Cut no further than needed: the budget is nearly full.
    assert worst_pool_bytes(payload) > LEGACY_BUDGET_BYTES - 16


def test_a_long_episode_leaves_the_margin_in_every_release(
    episode_state: dict[str, Any],
) -> None:
    # Before the margin this body filled 6.19's pool to 512 of 512 bytes, and took 592 in
    # 6.18 built without ARDUINO.
    state = {**episode_state, "device": {"name": "Living room speaker " * 10}}
    state["item"] = {
        **episode_state["item"],
        "name": "Episode 412: " + "a very long conversation about dot matrices " * 8,
        "show": {"name": "The Hardware Hour with a show name longer than any row " * 4},
    }
    payload = v1_payload(ok(Playback.from_spotify(state, 0.0)), 0.0)
    for release in RELEASES:
        assert pool_bytes(payload, release) <= LEGACY_BUDGET_BYTES, release
    assert str(payload["song_title"]).startswith("Episode 412: a very long")
    assert str(payload["artist_string"]).startswith("The Hardware Hour")


def test_legacy_glass_never_gets_yen_or_arrow(track_state: dict[str, Any]) -> None:
    # An A00 ROM draws 0x5C as ¥ and 0x7E as →; old firmware prints the bytes it gets.
    state = {**track_state, "item": {**track_state["item"], "name": "Tilde ~ and \\ back"}}
    state["item"]["artists"] = [{"name": "AC\\DC"}, {"name": "~Someone~"}]
    state["device"] = {**track_state["device"], "name": "PC~1"}
    payload = v1_payload(ok(Playback.from_spotify(state, 0.0)), 0.0)
    assert payload["song_title"] == "Tilde - and / back"
    assert payload["artist_string"] == "AC/DC and -Someone-"
    assert payload["artist_full"] == ["AC/DC", "-Someone-"]
    assert payload["device_name"] == "PC-1"


@pytest.mark.parametrize("title", ["🔥🔥🔥", "❤️", "\u0301", "", "\x07"])
def test_a_title_with_nothing_to_show_is_untitled(track_state: dict[str, Any], title: str) -> None:
    state = {**track_state, "item": {**track_state["item"], "name": title}}
    assert v1_payload(ok(Playback.from_spotify(state, 0.0)), 0.0)["song_title"] == UNTITLED


def test_an_ad_of_unknown_length_counts_nothing(ad_state: dict[str, Any]) -> None:
    # Spotify sends no item for an ad, so no duration, while its progress runs.
    payload = v1_payload(ok(Playback.from_spotify(ad_state, 10.0)), 11.426)
    assert (payload["duration"], payload["current"], payload["timer"]) == (0, 0, 0)


def test_numbers_fit_a_32_bit_integer(track_state: dict[str, Any]) -> None:
    state = {**track_state, "progress_ms": 2**40, "item": {**track_state["item"]}}
    state["item"]["duration_ms"] = 2**41
    payload = v1_payload(ok(Playback.from_spotify(state, 0.0)), 0.0)
    assert (payload["duration"], payload["current"], payload["timer"]) == (
        LONGEST_MS,
        LONGEST_MS,
        0,
    )


def test_artist_genres_decide_how_han_reads(track_state: dict[str, Any]) -> None:
    state = {**track_state, "item": {**track_state["item"], "name": "東京"}}
    playback = Playback.from_spotify(state, 0.0)
    assert v1_payload(ok(playback), 0.0)["song_title"] == "Dong Jing"
    japanese = dataclasses.replace(playback, genres=("j-pop",))
    assert v1_payload(ok(japanese), 0.0)["song_title"] == "Tokyo"


@pytest.mark.parametrize(
    ("status", "after_grace"),
    [(AccountStatus.STALE, 503), (AccountStatus.RATE_LIMITED, 429)],
)
def test_a_stale_track_is_kept_through_a_blip_then_the_outage_is_told(
    track_state: dict[str, Any], status: AccountStatus, after_grace: int
) -> None:
    playback = Playback.from_spotify(track_state, fetched_at=100.0)
    snapshot = Snapshot(status, playback, error="HTTP 500")
    kept = v1_payload(snapshot, 100.0 + LEGACY_STALE_GRACE_S)
    assert (kept["api_response"], kept["song_title"]) == (200, "Paparazzi")
    assert kept["current"] == 160210 + round(LEGACY_STALE_GRACE_S * 1000)
    assert v1_payload(snapshot, 100.1 + LEGACY_STALE_GRACE_S) == {"api_response": after_grace}
    # Not stale (Spotify answers): served whatever its age, the poller keeps it fresh.
    assert v1_payload(Snapshot(AccountStatus.OK, playback), 1000.0)["api_response"] == 200


def test_a_stale_idle_player_is_idle_only_through_the_grace() -> None:
    snapshot = Snapshot(AccountStatus.STALE, Playback.idle(fetched_at=100.0))
    assert v1_payload(snapshot, 110.0) == {"api_response": 204}
    assert v1_payload(snapshot, 200.0) == {"api_response": 503}


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
def test_every_v1_body_fits_every_release_and_is_printable_ascii(
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
    for release in RELEASES:
        assert pool_bytes(payload, release) <= LEGACY_BUDGET_BYTES, release
    body = json.dumps(payload, ensure_ascii=False)
    assert body.isascii()
    if payload["api_response"] == 200:
        assert payload["song_title"]
        assert isinstance(payload["current"], int)
        assert isinstance(payload["duration"], int)
        assert 0 <= payload["current"] <= payload["duration"] <= LONGEST_MS
        assert payload["timer"] == payload["duration"] - payload["current"]
    for value in payload.values():
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str):
                assert text.isprintable()
                # A00 glass would show them as ¥ and →.
                assert "\\" not in text
                assert "~" not in text
                assert "  " not in text
                assert text == text.strip()


def test_kind_enum_is_exhaustive_in_v1(track_state: dict[str, Any]) -> None:
    # Every kind produces an answer; none raises.
    for kind in PlaybackKind:
        state = {**track_state, "currently_playing_type": kind.value}
        assert "api_response" in v1_payload(ok(Playback.from_spotify(state, 0.0)), 0.0)
