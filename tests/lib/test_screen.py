"""Screen layout: marquee timing, progress bar, times, and every screen, frame by frame."""

from __future__ import annotations

from typing import Any

import pytest

from spotifylcd.screen import (
    SIZES,
    ScreenSize,
    clock,
    marquee,
    marquee_cycle_ms,
    progress_bar,
    render,
)

LEVELS = "12345"


@pytest.mark.parametrize(
    ("time_ms", "shown"),
    [
        (0, "abcd"),
        (1999, "abcd"),  # pause at the start
        (2349, "abcd"),
        (2350, "bcde"),  # one cell per 350 ms
        (2700, "cdef"),
        (3049, "cdef"),
        (3050, "defg"),  # the end (3 steps)...
        (5049, "defg"),  # ...held for the end pause
        (5050, "abcd"),  # and round again: cycle = 2000 + 3 x 350 + 2000
        (5050 + 2350, "bcde"),
    ],
)
def test_marquee_timing(time_ms: int, shown: str) -> None:
    assert marquee("abcdefg", 4, time_ms) == shown
    assert marquee_cycle_ms("abcdefg", 4) == 5050


def test_short_text_is_padded_and_still() -> None:
    assert marquee("ab", 4, 99_999) == "ab  "
    assert marquee_cycle_ms("ab", 4) == 0
    assert marquee("ab", 0, 0) == ""


@pytest.mark.parametrize(
    ("ms", "text"),
    [
        (0, "0:00"),
        (59_999, "0:59"),
        (60_000, "1:00"),
        (754_000, "12:34"),
        (3_723_000, "1:02:03"),
        (-5, "0:00"),
    ],
)
def test_clock(ms: int, text: str) -> None:
    assert clock(ms) == text


@pytest.mark.parametrize(
    ("progress", "bar"),
    [
        (0, "    "),
        (4_999, "    "),  # 20 steps over 100 s: 5 s a step
        (5_000, "1   "),
        (24_000, "4   "),
        (25_000, "5   "),
        (30_000, "51  "),
        (99_999, "5554"),
        (100_000, "5555"),
        (150_000, "5555"),
    ],
)
def test_progress_bar_has_five_steps_per_cell(progress: int, bar: str) -> None:
    assert progress_bar(progress, 100_000, 4, LEVELS) == bar


def test_progress_bar_without_duration_is_empty() -> None:
    assert progress_bar(5, 0, 3, LEVELS) == "   "


def test_sizes() -> None:
    assert ScreenSize.parse(" 20X4 ") == SIZES["20x4"]
    assert str(SIZES["16x2"]) == "16x2"
    with pytest.raises(ValueError, match="16x2"):
        ScreenSize.parse("40x4")


def payload(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "v": 2,
        "state": "playing",
        "cols": 16,
        "rows": 2,
        "rom": "A00",
        "title": "Paparazzi",
        "artist": "Lady Gaga",
        "album": "The Fame",
        "progress": 60_000,
        "duration": 200_000,
        "stale": False,
        "bar": "\x08\x01\x02\x03\xff",
        "icon": "\x04",
        "mark": "",
        "glyphs": [],
        "next_poll": 5000,
    }
    return {**base, **changes}


def test_16x2_alternates_artist_and_status() -> None:
    assert render(payload(), 0, 0) == ["Paparazzi       ", "Lady Gaga       "]
    # After 5 s of artist: icon, bar (9 cells), elapsed time advanced by the fetch clock.
    status = render(payload(), 5000, 5000)[1]
    # 65 s of 200 s over 9 cells x 5 steps = 14 steps: two full cells and one of 4/5.
    assert status == "\x04 \xff\xff\x03" + " " * 6 + " 1:05"
    assert render(payload(), 9000, 9000)[1] == "Lady Gaga       "


def test_paused_progress_does_not_move() -> None:
    paused = payload(state="paused", icon="\x05")
    assert render(paused, 60_000, 5000)[1].endswith("1:00")


def test_playing_progress_stops_at_the_end() -> None:
    assert render(payload(), 500_000, 5000)[1].endswith("3:20")


def test_20x4_shows_title_artist_album_and_both_times() -> None:
    rows = render(payload(cols=20, rows=4), 0, 0)
    assert rows == [
        "Paparazzi           ",
        "Lady Gaga           ",
        "The Fame            ",
        # 60 s of 200 s over 8 cells x 5 steps = 12 steps: two full cells and one of 2/5.
        "\x04 \xff\xff\x01" + " " * 5 + " 1:00/3:20",
    ]
    assert all(len(row) == 20 for row in rows)


def test_stale_marker_takes_the_last_cell_of_the_title_row() -> None:
    rows = render(payload(stale=True, mark="\x05", title="A very long song title"), 0, 0)
    assert rows[0] == "A very long son\x05"


def test_message_screens_have_no_bar() -> None:
    idle = payload(
        state="idle", title="Nothing playing", artist="Spotify", duration=0, bar="", icon=""
    )
    assert render(idle, 20_000, 20_000) == ["Nothing playing ", "Spotify         "]
    relink = payload(
        state="relink",
        cols=20,
        rows=4,
        title="Re-link Spotify",
        artist="",
        album="",
        duration=0,
        bar="",
        icon="",
    )
    assert render(relink, 0, 0) == ["Re-link Spotify     ", " " * 20, " " * 20, " " * 20]


def test_long_artist_phase_lasts_a_full_scroll() -> None:
    long_artist = payload(artist="Charles Dumont and Michel Vaucaire")  # 34 cells: 18 steps
    cycle = marquee_cycle_ms("Charles Dumont and Michel Vaucaire", 16)
    assert cycle == 2000 + 18 * 350 + 2000
    assert render(long_artist, 0, cycle - 1)[1] == "d Michel Vaucaire"[-16:]
    assert render(long_artist, 0, cycle)[1].startswith("\x04 ")
