"""The committed golden vectors are what the Python renderer produces today.

A change to screen.json changes the firmware's contract: regenerate it with
`python -m tests.golden` only on purpose, and the C++ renderer must follow.
"""

from __future__ import annotations

import json

from spotifylcd.hd44780.rom import Rom
from spotifylcd.preview import readable_row
from tests.golden import TEXT_VECTORS, VECTORS, as_text, build


def test_vectors_match_the_renderer() -> None:
    stored = json.loads(VECTORS.read_text())
    assert stored == build()
    assert TEXT_VECTORS.read_text() == as_text(stored)


def test_vectors_cover_every_screen_and_rom() -> None:
    stored = json.loads(VECTORS.read_text())
    assert {v["payload"]["state"] for v in stored} >= {"playing", "paused", "idle", "relink"}
    assert {v["payload"]["rom"] for v in stored} == {"A00", "A02", "ascii"}
    assert {(v["payload"]["cols"], v["payload"]["rows"]) for v in stored} == {
        (16, 2),
        (20, 2),
        (20, 4),
    }
    assert any(v["payload"]["stale"] for v in stored)


def test_a_vector_reads_as_expected() -> None:
    # Spot checks by eye, independent of build(): katakana with voiced marks, and Cyrillic on A02.
    stored = {(v["name"], v["since_change_ms"]): v for v in json.loads(VECTORS.read_text())}
    katakana = stored["katakana-a00-16x2", 0]
    assert (
        readable_row(bytes.fromhex(katakana["rows"][0]).decode("latin-1"), Rom.A00)
        == "ｸﾞﾚﾝﾊﾅ          "
    )
    cyrillic = stored["cyrillic-a02-20x2", 0]
    assert (
        readable_row(bytes.fromhex(cyrillic["rows"][0]).decode("latin-1"), Rom.A02)
        == "ЖЗИ Gruppa krovi    "
    )
