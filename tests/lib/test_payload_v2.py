"""The v2 `/get` body: ROM-encoded strings, glyphs, progress and a poll hint, all small."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spotifylcd.hd44780.cgram import PLAY, bar_glyph
from spotifylcd.hd44780.rom import CGRAM_CODES, CGRAM_SLOTS, Rom
from spotifylcd.payload import (
    LONGEST_MS,
    NEXT_POLL_MAX_MS,
    NEXT_POLL_MIN_MS,
    NEXT_POLL_UNSCHEDULED_MS,
    UNTITLED,
    V2_BUDGET_BYTES,
    json_body,
    v2_payload,
)
from spotifylcd.playback import Playback
from spotifylcd.screen import SIZES
from spotifylcd.settings import DisplaySettings
from spotifylcd.status import AccountStatus, Snapshot

V2_KEYS = [
    "v",
    "state",
    "cols",
    "rows",
    "rom",
    "title",
    "artist",
    "album",
    "progress",
    "duration",
    "stale",
    "bar",
    "icon",
    "mark",
    "glyphs",
    "next_poll",
]


def ok(state: dict[str, Any], **snapshot: Any) -> Snapshot:
    return Snapshot(AccountStatus.OK, Playback.from_spotify(state, 0.0), **snapshot)


def test_track_payload(track_state: dict[str, Any]) -> None:
    payload = v2_payload(ok(track_state, next_poll_at=4.0), 1.0, DisplaySettings())
    assert list(payload) == V2_KEYS
    assert {
        k: payload[k] for k in ("v", "state", "cols", "rows", "rom", "title", "artist", "album")
    } == {
        "v": 2,
        "state": "playing",
        "cols": 16,
        "rows": 2,
        "rom": "A00",
        "title": "Paparazzi",
        "artist": "Lady Gaga",
        "album": "The Fame",
    }
    assert (payload["progress"], payload["duration"], payload["stale"]) == (161210, 208306, False)
    assert payload["next_poll"] == 3250  # just after the poller's next call
    assert payload["glyphs"] == [
        *(bar_glyph(n).hex() for n in range(1, 5)),
        PLAY.hex(),
    ]  # four bar levels and the play symbol


@pytest.mark.parametrize(
    ("status", "state_changes", "expected_state", "title"),
    [
        (AccountStatus.NEEDS_RELINK, {}, "relink", "Re-link Spotify"),
        (AccountStatus.FORBIDDEN, {}, "forbidden", "Spotify refused"),
        (AccountStatus.OK, {"is_playing": False}, "paused", "Paparazzi"),
        (AccountStatus.OK, {"currently_playing_type": "ad", "item": None}, "ad", "Advertisement"),
        (
            AccountStatus.OK,
            {"item": None, "device": {"is_private_session": True}},
            "private",
            "Private session",
        ),
        (AccountStatus.OK, {"item": None}, "unknown", "Unknown item"),
    ],
)
def test_states(
    track_state: dict[str, Any],
    status: AccountStatus,
    state_changes: dict[str, Any],
    expected_state: str,
    title: str,
) -> None:
    snapshot = Snapshot(status, Playback.from_spotify({**track_state, **state_changes}, 0.0))
    payload = v2_payload(snapshot, 0.0, DisplaySettings())
    assert (payload["state"], payload["title"]) == (expected_state, title)


@pytest.mark.parametrize(
    ("snapshot", "state"),
    [
        (Snapshot(AccountStatus.STARTING), "starting"),
        (Snapshot(AccountStatus.STALE), "offline"),
        (Snapshot(AccountStatus.OK, Playback.idle(0.0)), "idle"),
    ],
)
def test_no_playback_states(snapshot: Snapshot, state: str) -> None:
    payload = v2_payload(snapshot, 0.0, DisplaySettings())
    assert (payload["state"], payload["duration"], payload["bar"], payload["icon"]) == (
        state,
        0,
        "",
        "",
    )


def test_stale_playback_is_flagged_with_a_marker(track_state: dict[str, Any]) -> None:
    snapshot = Snapshot(AccountStatus.STALE, Playback.from_spotify(track_state, 0.0))
    payload = v2_payload(snapshot, 0.0, DisplaySettings())
    assert payload["stale"] is True
    assert payload["mark"] == "\x05"  # CGRAM slot 5, after the bar (0-3) and play (4)


@pytest.mark.parametrize(
    ("next_poll_at", "hint"),
    [
        (None, NEXT_POLL_UNSCHEDULED_MS),
        (0.1, NEXT_POLL_MIN_MS),
        # A long Retry-After: the display is told the truth, up to the policy's cap.
        (300.0, 300_250),
        (3600.0, NEXT_POLL_MAX_MS),
    ],
)
def test_next_poll_hint_is_bounded(
    track_state: dict[str, Any], next_poll_at: float | None, hint: int
) -> None:
    assert (
        v2_payload(ok(track_state, next_poll_at=next_poll_at), 0.0, DisplaySettings())["next_poll"]
        == hint
    )


TYPICAL = [
    ("Paparazzi", ["Lady Gaga"], "The Fame"),
    ("Je ne regrette rien", ["Édith Piaf"], "La Vie en rose"),
    ("夜に駆ける", ["YOASOBI"], "THE BOOK"),
    ("Dynamite", ["방탄소년단"], "BE"),
    ("Кукла колдуна", ["Король и Шут"], "Акустический альбом"),
    ("Bohemian Rhapsody - Remastered 2011", ["Queen"], "A Night At The Opera (2011 Remaster)"),
]


@pytest.mark.parametrize(("title", "artists", "album"), TYPICAL)
@pytest.mark.parametrize("rom", list(Rom))
@pytest.mark.parametrize("size", list(SIZES))
def test_typical_tracks_fit_whole(
    track_state: dict[str, Any], title: str, artists: list[str], album: str, rom: Rom, size: str
) -> None:
    item = {
        **track_state["item"],
        "name": title,
        "artists": [{"name": n} for n in artists],
        "album": {"name": album},
    }
    payload = v2_payload(
        ok({**track_state, "item": item}), 0.0, DisplaySettings(rom=rom, size=SIZES[size])
    )
    assert len(json_body(payload).encode()) <= V2_BUDGET_BYTES
    # Nothing of a typical track is cut to fit.
    assert len(str(payload["title"])) >= len(title)


def test_a_title_with_nothing_to_show_is_untitled(track_state: dict[str, Any]) -> None:
    state = {**track_state, "item": {**track_state["item"], "name": "🔥🔥🔥"}}
    assert v2_payload(ok(state), 0.0, DisplaySettings())["title"] == UNTITLED


def test_artist_genres_decide_how_han_reads(track_state: dict[str, Any]) -> None:
    state = {**track_state, "item": {**track_state["item"], "name": "東京"}}
    playback = Playback.from_spotify(state, 0.0)
    settings = DisplaySettings(rom=Rom.ASCII)
    assert v2_payload(Snapshot(AccountStatus.OK, playback), 0.0, settings)["title"] == "Dong Jing"
    japanese = dataclasses.replace(playback, genres=("j-pop",))
    assert v2_payload(Snapshot(AccountStatus.OK, japanese), 0.0, settings)["title"] == "Tokyo"


def test_times_fit_the_firmwares_32_bit_arithmetic(track_state: dict[str, Any]) -> None:
    state = {**track_state, "progress_ms": 2**40, "item": {**track_state["item"]}}
    state["item"]["duration_ms"] = 2**41
    payload = v2_payload(ok(state), 0.0, DisplaySettings())
    assert (payload["progress"], payload["duration"]) == (LONGEST_MS, LONGEST_MS)


@given(
    title=st.text(max_size=300),
    artist=st.text(max_size=100),
    album=st.text(max_size=100),
    rom=st.sampled_from(list(Rom)),
    size=st.sampled_from(list(SIZES)),
    stale=st.booleans(),
)
def test_any_track_encodes_to_hd44780_bytes(
    title: str, artist: str, album: str, rom: Rom, size: str, stale: bool
) -> None:
    state = {
        "is_playing": True,
        "progress_ms": 1000,
        "currently_playing_type": "track",
        "item": {
            "type": "track",
            "name": title,
            "duration_ms": 9000,
            "artists": [{"name": artist}],
            "album": {"name": album},
        },
    }
    status = AccountStatus.STALE if stale else AccountStatus.OK
    payload = v2_payload(
        Snapshot(status, Playback.from_spotify(state, 0.0)),
        0.0,
        DisplaySettings(rom=rom, size=SIZES[size]),
    )
    glyphs = payload["glyphs"]
    assert isinstance(glyphs, list)
    assert len(glyphs) <= CGRAM_SLOTS
    loaded = set(CGRAM_CODES[: len(glyphs)])
    for field in ("title", "artist", "album", "bar", "icon", "mark"):
        text = str(payload[field])
        # Every byte is a ROM character or the code of a loaded glyph: never 0x00 (ends the
        # string in ESPHome's print) nor 0x0A (starts a new row), nor any other control byte.
        assert all(0x20 <= ord(c) <= 0xFF or ord(c) in loaded for c in text), field
        # On A00 0x5C and 0x7E draw ¥ and →: only those characters may produce them.
        source = title + artist + album
        if rom is Rom.ASCII or (rom is Rom.A00 and "¥" not in source):
            assert chr(0x5C) not in text
        if rom is Rom.ASCII or (rom is Rom.A00 and "→" not in source):
            assert chr(0x7E) not in text
        assert len(text) <= 96
