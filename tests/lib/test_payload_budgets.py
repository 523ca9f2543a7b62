"""Hard size budgets: every v2 body fits the firmware's read, every v1 body the old sketch's pool.

Over hostile tracks (tests/hostile_tracks.py and generated ones), on every ROM and size, in
every account state, with the largest numbers; v2 bodies measured as `contract.get_body`
sends them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spotifylcd.account import Account
from spotifylcd.arduinojson import LEGACY_POOL_BYTES, RELEASES, Json, pool_bytes
from spotifylcd.contract import GetRequest, get_body
from spotifylcd.hd44780.rom import CGRAM_SLOTS, Rom
from spotifylcd.payload import (
    FIRMWARE_ANSWER_BYTES,
    LEGACY_BUDGET_BYTES,
    MAX_CELLS,
    V2_BUDGET_BYTES,
    BodyCache,
    v1_payload,
    v2_payload,
)
from spotifylcd.playback import Playback
from spotifylcd.screen import SIZES
from spotifylcd.settings import DisplaySettings
from spotifylcd.status import AccountStatus, Snapshot
from tests.hostile_tracks import HOSTILE_TEXTS, KINDS, every_state, spotify_state

FIRMWARE_HEADER = (
    Path(__file__).resolve().parents[2] / "esphome" / "components" / "spotify_lcd" / "firmware.h"
)
V2_TYPES = {
    "v": int,
    "state": str,
    "cols": int,
    "rows": int,
    "rom": str,
    "title": str,
    "artist": str,
    "album": str,
    "progress": int,
    "duration": int,
    "stale": bool,
    "bar": str,
    "icon": str,
    "mark": str,
    "glyphs": list,
    "next_poll": int,
}
ACCOUNT = Account(uid="hostile")
NOW = 10.0


def v2_body(snapshot: Snapshot, rom: Rom, size: str) -> bytes:
    request = GetRequest(ACCOUNT.uid, None, "2", rom, size)
    return get_body(request, ACCOUNT, snapshot, NOW, BodyCache())


def check_v2_body(body: bytes) -> None:
    """Within the budget, and still every field of the contract, typed as the firmware reads."""
    assert len(body) <= V2_BUDGET_BYTES
    payload = json.loads(body)
    assert {key: type(value) for key, value in payload.items()} == V2_TYPES
    assert len(payload["glyphs"]) <= CGRAM_SLOTS
    assert all(len(payload[field]) <= MAX_CELLS for field in ("title", "artist", "album"))


def check_v1_body(payload: dict[str, Json]) -> None:
    assert LEGACY_BUDGET_BYTES < LEGACY_POOL_BYTES
    for release in RELEASES:
        assert pool_bytes(payload, release) <= LEGACY_BUDGET_BYTES, release


def test_the_v2_budget_comes_from_the_firmwares_buffer() -> None:
    found = re.search(r"constexpr size_t MAX_ANSWER_BYTES = (\d+);", FIRMWARE_HEADER.read_text())
    assert found is not None, "MAX_ANSWER_BYTES is no longer in firmware.h"
    assert int(found[1]) == FIRMWARE_ANSWER_BYTES
    assert V2_BUDGET_BYTES < FIRMWARE_ANSWER_BYTES


@pytest.mark.parametrize("text", HOSTILE_TEXTS.values(), ids=list(HOSTILE_TEXTS))
def test_hostile_v2_bodies_fit_every_rom_and_size(text: str) -> None:
    for kind in KINDS:
        for snapshot in every_state(spotify_state(text, kind)).values():
            for rom in Rom:
                for size in SIZES:
                    check_v2_body(v2_body(snapshot, rom, size))


@pytest.mark.parametrize("text", HOSTILE_TEXTS.values(), ids=list(HOSTILE_TEXTS))
def test_hostile_v1_bodies_fit_every_arduinojson_release(text: str) -> None:
    for kind in KINDS:
        for snapshot in every_state(spotify_state(text, kind, artists=20)).values():
            check_v1_body(v1_payload(snapshot, NOW))


def test_a_body_filling_the_pool_of_6_19_overflows_6_18_built_without_arduino(
    track_state: dict[str, Any],
) -> None:
    # Why the budget takes the worst release: the old budget filled 6.19's pool exactly.
    body = v1_payload(Snapshot(AccountStatus.OK, Playback.from_spotify(track_state, 0.0)), NOW)
    deduplicating = RELEASES[1]
    body["song_title"] = "x" * (LEGACY_POOL_BYTES - pool_bytes(body, deduplicating) + 9)
    # 10 slots (9 members, 1 artist); "Lady Gaga" is stored once from 6.16 on.
    assert [pool_bytes(body, release) for release in RELEASES] == [
        512 + len("Lady Gaga") + 1,
        512,
        512 + 10 * (24 - 16),
    ]


# Generated hostile text: anything Unicode has, and long runs of one character (the runs
# that cost most: glyph codes sent as six bytes, Latin-1 as two, quotes as two).
hostile_text = st.one_of(
    st.text(max_size=500),
    st.builds(lambda char, count: char * count, st.characters(), st.integers(0, 500)),
    st.lists(st.sampled_from(list(HOSTILE_TEXTS.values())), max_size=3).map("".join),
)


@given(
    title=hostile_text,
    artists=st.lists(hostile_text, max_size=6),
    album=hostile_text,
    kind=st.sampled_from(KINDS),
    state=st.sampled_from(["playing", "paused", "stale", "rate limited", "idle", "relink"]),
    progress=st.integers(0, 2**64),
    duration=st.integers(0, 2**64),
    rom=st.sampled_from(list(Rom)),
    size=st.sampled_from(list(SIZES)),
)
def test_every_v2_body_fits_the_firmwares_read(
    title: str,
    artists: list[str],
    album: str,
    kind: str,
    state: str,
    progress: int,
    duration: int,
    rom: Rom,
    size: str,
) -> None:
    spotify = spotify_state(title, kind)
    spotify["progress_ms"] = progress
    spotify["item"].update(
        duration_ms=duration, artists=[{"name": name} for name in artists], album={"name": album}
    )
    check_v2_body(v2_body(every_state(spotify)[state], rom, size))


@given(
    title=hostile_text,
    artists=st.lists(hostile_text, max_size=20),
    device=hostile_text,
    kind=st.sampled_from(KINDS),
)
def test_every_v1_body_fits_every_arduinojson_release(
    title: str, artists: list[str], device: str, kind: str
) -> None:
    spotify = spotify_state(title, kind)
    spotify["device"]["name"] = device
    spotify["item"]["artists"] = [{"name": name} for name in artists]
    check_v1_body(v1_payload(every_state(spotify)["playing"], NOW))


def playing(title: str, artist: str, album: str) -> Snapshot:
    state: dict[str, Any] = spotify_state(title, artists=1)
    state["item"].update(artists=[{"name": artist}], album={"name": album})
    return Snapshot(AccountStatus.OK, Playback.from_spotify(state, 0.0))


def test_v2_cuts_the_longest_text_first() -> None:
    # On A00, é, è and à are drawn as glyphs: six bytes each in JSON.
    payload = v2_payload(
        playing("éèà" * 40, "Édith Piaf", "La Vie en rose"),
        NOW,
        DisplaySettings(rom=Rom.A00, size=SIZES["20x4"]),
    )
    assert len(str(payload["title"])) < MAX_CELLS
    assert payload["album"] == "La Vie en rose"
    assert str(payload["artist"]).endswith("dith Piaf")


def test_v2_cuts_an_album_a_two_row_display_does_not_show_first() -> None:
    long = "Ω" * 200
    settings = DisplaySettings(rom=Rom.A02)
    two_rows = v2_payload(playing(long, long, long), NOW, settings)
    assert len(str(two_rows["album"])) < len(str(two_rows["title"])) == len(str(two_rows["artist"]))
    four_rows = v2_payload(
        playing(long, long, long), NOW, DisplaySettings(rom=Rom.A02, size=SIZES["20x4"])
    )
    assert len(str(four_rows["album"])) == len(str(four_rows["title"]))
