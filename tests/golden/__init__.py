"""Golden vectors: (v2 payload, clocks) → LCD rows, shared by the Python and C++ renderers.

`python -m tests.golden` rewrites screen.json from the scenarios below; tests/test_golden.py
checks the Python renderer against the file, and the firmware's host tests check C++.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

from spotifylcd.hd44780.rom import Rom
from spotifylcd.payload import v2_payload
from spotifylcd.playback import Playback
from spotifylcd.screen import SIZES, render
from spotifylcd.settings import DisplaySettings
from spotifylcd.status import AccountStatus, Snapshot
from spotifylcd.text import JapaneseMode, TextSettings

HERE = Path(__file__).parent
VECTORS = HERE / "screen.json"
# The same vectors as plain text for the firmware's C++ host test (no JSON parser there):
# name cols rows state title artist album progress duration stale bar icon mark
# since_fetch_ms since_change_ms row... — strings as hex of their UTF-8 (what the ESP
# receives), "-" when empty; rows as hex of the HD44780 bytes.
TEXT_VECTORS = HERE / "screen_vectors.txt"
_TEXT_FIELDS = ("title", "artist", "album")
FIXTURE = HERE.parent / "fixtures" / "spotify" / "playback_state_track.json"
TIMES = ((0, 0), (2500, 2500), (5200, 5200), (9100, 9100), (30_000, 12_000), (400_000, 400_000))


def _state(title: str, artists: list[str], album: str, **changes: Any) -> dict[str, Any]:
    state: dict[str, Any] = copy.deepcopy(json.loads(FIXTURE.read_text()))
    state["item"].update(name=title, artists=[{"name": name} for name in artists])
    state["item"]["album"]["name"] = album
    state.update(changes)
    return state


SCENARIOS: list[tuple[str, dict[str, Any] | None, AccountStatus, DisplaySettings]] = [
    (
        "track-a00-16x2",
        _state("Paparazzi", ["Lady Gaga"], "The Fame"),
        AccountStatus.OK,
        DisplaySettings(),
    ),
    (
        "long-accented-a00-20x4",
        _state(
            "Je ne regrette rien (Non, je ne regrette rien)",
            ["Édith Piaf", "Charles Dumont"],
            "La Vie en rose",
        ),
        AccountStatus.OK,
        DisplaySettings(size=SIZES["20x4"]),
    ),
    (
        "katakana-a00-16x2",
        _state("紅蓮華", ["LiSA"], "LEO-NiNE"),
        AccountStatus.OK,
        DisplaySettings(text=TextSettings(japanese=JapaneseMode.KATAKANA, country="JP")),
    ),
    (
        "cyrillic-a02-20x2",
        _state("ЖЗИ Группа крови", ["Кино"], "Группа крови", is_playing=False),
        AccountStatus.OK,
        DisplaySettings(rom=Rom.A02, size=SIZES["20x2"]),
    ),
    (
        "stale-ascii-16x2",
        _state("Tilde ~ and \\ back", ["Someone"], "X"),
        AccountStatus.STALE,
        DisplaySettings(rom=Rom.ASCII),
    ),
    ("idle-a00-20x4", None, AccountStatus.OK, DisplaySettings(size=SIZES["20x4"])),
    ("relink-a00-16x2", None, AccountStatus.NEEDS_RELINK, DisplaySettings()),
]


def build() -> list[dict[str, Any]]:
    """Every scenario at every time: payload, clocks and the expected rows as hex bytes."""
    vectors = []
    for name, state, status, settings in SCENARIOS:
        playback = Playback.idle(0.0) if state is None else Playback.from_spotify(state, 0.0)
        snapshot = Snapshot(status, playback, next_poll_at=5.0)
        payload = v2_payload(snapshot, 0.0, settings)
        for since_fetch, since_change in TIMES:
            rows = render(payload, since_fetch, since_change)
            vectors.append(
                {
                    "name": name,
                    "payload": payload,
                    "since_fetch_ms": since_fetch,
                    "since_change_ms": since_change,
                    "rows": [bytes(map(ord, row)).hex() for row in rows],
                }
            )
    return vectors


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
