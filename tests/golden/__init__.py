"""Golden vectors: (v2 payload, clocks) → LCD rows, shared by the Python and C++ renderers.

`python -m tests.golden` rewrites screen.json from the scenarios below; tests/test_golden.py
checks the Python renderer against the file, and the firmware's host tests check C++.
"""

from __future__ import annotations

import copy
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from spotifylcd.hd44780.rom import Rom
from spotifylcd.payload import LONGEST_MS, v2_payload
from spotifylcd.playback import Playback
from spotifylcd.screen import SIZES, render
from spotifylcd.settings import DisplaySettings
from spotifylcd.status import AccountStatus, Snapshot
from spotifylcd.text import JapaneseMode, TextSettings

HERE = Path(__file__).parent
VECTORS = HERE / "screen.json"
# The same vectors as plain text for the firmware's C++ host test (no JSON parser there):
# name cols rows state title artist album progress duration stale bar icon mark glyphs
# next_poll since_fetch_ms since_change_ms row... — strings as hex of their UTF-8 (what the
# ESP receives), "-" when empty; glyphs comma-separated, "-" when none; rows as hex of the
# HD44780 bytes.
TEXT_VECTORS = HERE / "screen_vectors.txt"
_TEXT_FIELDS = ("title", "artist", "album")
FIXTURE = HERE.parent / "fixtures" / "spotify" / "playback_state_track.json"
TIMES: Final = (
    (0, 0),
    (2500, 2500),
    (5200, 5200),
    (9100, 9100),
    (30_000, 12_000),
    (400_000, 400_000),
)
# One second per bar step on a 20x4 status row (8 cells of 5 steps over 40 s): the partial
# cell walks through the bar glyphs 1/5-4/5 (CGRAM slots 0-3).
EVERY_GLYPH_TIMES: Final = tuple((ms, ms) for ms in (0, 1000, 2000, 3000, 4000, 9000))


@dataclass(frozen=True, slots=True)
class Scenario:
    """A named v2 payload (from a Spotify state, or written by hand) and the clocks to draw it at."""

    name: str
    payload: dict[str, Any]
    times: tuple[tuple[int, int], ...] = TIMES


def _state(title: str, artists: list[str], album: str, **changes: Any) -> dict[str, Any]:
    state: dict[str, Any] = copy.deepcopy(json.loads(FIXTURE.read_text()))
    state["item"].update(name=title, artists=[{"name": name} for name in artists])
    state["item"]["album"]["name"] = album
    state.update(changes)
    return state


def _from_spotify(
    state: dict[str, Any] | None, status: AccountStatus, settings: DisplaySettings
) -> dict[str, Any]:
    playback = Playback.idle(0.0) if state is None else Playback.from_spotify(state, 0.0)
    return v2_payload(Snapshot(status, playback, next_poll_at=5.0), 0.0, settings)


def _every_glyph() -> dict[str, Any]:
    """A stale A00 track that fills all 8 CGRAM slots: bar 1/5-4/5, play, stale, é and è."""
    state = _state("Café Crème", ["Zoé"], "Très", progress_ms=0)
    state["item"]["duration_ms"] = 40_000
    return _from_spotify(state, AccountStatus.STALE, DisplaySettings(size=SIZES["20x4"]))


def _by_hand(**changes: Any) -> dict[str, Any]:
    """A payload the server would not send, for the layout's edges."""
    payload = _from_spotify(
        _state("Paparazzi", ["Lady Gaga"], "The Fame"), AccountStatus.OK, DisplaySettings()
    )
    return {**payload, **changes}


SCENARIOS: Final = [
    Scenario(
        "track-a00-16x2",
        _from_spotify(
            _state("Paparazzi", ["Lady Gaga"], "The Fame"), AccountStatus.OK, DisplaySettings()
        ),
    ),
    Scenario(
        "long-accented-a00-20x4",
        _from_spotify(
            _state(
                "Je ne regrette rien (Non, je ne regrette rien)",
                ["Édith Piaf", "Charles Dumont"],
                "La Vie en rose",
            ),
            AccountStatus.OK,
            DisplaySettings(size=SIZES["20x4"]),
        ),
    ),
    Scenario(
        "katakana-a00-16x2",
        _from_spotify(
            _state("紅蓮華", ["LiSA"], "LEO-NiNE"),
            AccountStatus.OK,
            DisplaySettings(text=TextSettings(japanese=JapaneseMode.KATAKANA, country="JP")),
        ),
    ),
    Scenario(
        "cyrillic-a02-20x2",
        _from_spotify(
            _state("ЖЗИ Группа крови", ["Кино"], "Группа крови", is_playing=False),
            AccountStatus.OK,
            DisplaySettings(rom=Rom.A02, size=SIZES["20x2"]),
        ),
    ),
    Scenario(
        "stale-ascii-16x2",
        _from_spotify(
            _state("Tilde ~ and \\ back", ["Someone"], "X"),
            AccountStatus.STALE,
            DisplaySettings(rom=Rom.ASCII),
        ),
    ),
    Scenario(
        "idle-a00-20x4",
        _from_spotify(None, AccountStatus.OK, DisplaySettings(size=SIZES["20x4"])),
    ),
    Scenario("relink-a00-16x2", _from_spotify(None, AccountStatus.NEEDS_RELINK, DisplaySettings())),
    Scenario("every-glyph-a00-20x4", _every_glyph(), EVERY_GLYPH_TIMES),
    # The v2 byte budget at its fullest: glyph letters, each six bytes in JSON, cut to fit.
    Scenario(
        "budget-cut-a00-16x2",
        _from_spotify(
            _state("èàê" * 40, ["àèê" * 40], "êàè" * 40), AccountStatus.STALE, DisplaySettings()
        ),
    ),
    # The layout's edges: rows never run over, whatever the numbers.
    Scenario("longest-times-16x2", _by_hand(progress=LONGEST_MS - 1, duration=LONGEST_MS)),
    Scenario(
        "longest-times-20x4",
        _by_hand(cols=20, rows=4, progress=LONGEST_MS - 1, duration=LONGEST_MS),
    ),
    Scenario("hours-20x2", _by_hand(cols=20, progress=3_599_000, duration=36_000_000)),
    Scenario("past-the-end-16x2", _by_hand(progress=300_000, duration=200_000)),
    Scenario("no-artist-16x2", _by_hand(artist="")),
]


def build() -> list[dict[str, Any]]:
    """Every scenario at each of its times: payload, clocks and the expected rows as hex bytes."""
    return [
        {
            "name": scenario.name,
            "payload": scenario.payload,
            "since_fetch_ms": since_fetch,
            "since_change_ms": since_change,
            "rows": [
                bytes(map(ord, row)).hex()
                for row in render(scenario.payload, since_fetch, since_change)
            ],
        }
        for scenario in SCENARIOS
        for since_fetch, since_change in scenario.times
    ]


def _utf8_hex(text: str) -> str:
    return text.encode().hex() or "-"


def as_text(vectors: list[dict[str, Any]]) -> str:
    """The vectors in the line format the C++ test reads."""
    lines = []
    for vector in vectors:
        payload = vector["payload"]
        fields = [
            vector["name"],
            str(payload["cols"]),
            str(payload["rows"]),
            payload["state"],
            *(_utf8_hex(payload[name]) for name in _TEXT_FIELDS),
            str(payload["progress"]),
            str(payload["duration"]),
            str(int(payload["stale"])),
            *(_utf8_hex(payload[name]) for name in ("bar", "icon", "mark")),
            ",".join(payload["glyphs"]) or "-",
            str(payload["next_poll"]),
            str(vector["since_fetch_ms"]),
            str(vector["since_change_ms"]),
            *vector["rows"],
        ]
        lines.append(" ".join(fields))
    return "\n".join(lines) + "\n"


def main() -> None:
    """Rewrite both vector files (review the diff: it changes the firmware's contract)."""
    vectors = build()
    VECTORS.write_text(json.dumps(vectors, ensure_ascii=False, indent=1) + "\n")
    TEXT_VECTORS.write_text(as_text(vectors))
    sys.stdout.write(f"wrote {len(vectors)} vectors to {VECTORS} and {TEXT_VECTORS}\n")


if __name__ == "__main__":
    main()
