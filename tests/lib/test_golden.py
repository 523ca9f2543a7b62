"""The committed golden vectors are what the Python renderer produces today.

A change to screen.json changes the firmware's contract: regenerate it with
`python -m tests.golden` only on purpose, and the C++ renderer must follow.
"""

from __future__ import annotations

import json

from spotifylcd.hd44780.rom import CGRAM_CODES, Rom
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
        == "ЖЗИ ΓPУППA KPOBИ    "  # A02 capitals; Latin look-alikes where identical
    )
    # CGRAM slots 0-7 (codes 0x08, 0x01-0x07): é and è drawn, the stale clock, play, bar 3/5.
    every_glyph = stored["every-glyph-a00-20x4", 3000]
    rows = [
        readable_row(bytes.fromhex(row).decode("latin-1"), Rom.A00) for row in every_glyph["rows"]
    ]
    assert rows[0] == "Caf⑦ Cr⑥me         ⑤"
    assert rows[3] == "④ ②        0:03/0:40"


def test_every_glyph_slot_reaches_the_glass_and_no_control_byte_does() -> None:
    # The firmware's host test prints these rows through ESPHome's own LCDDisplay::print.
    shown = {
        byte
        for v in json.loads(VECTORS.read_text())
        for row in v["rows"]
        for byte in bytes.fromhex(row)
    }
    assert set(CGRAM_CODES) <= shown
    assert not shown & {0x00, 0x0A}
    assert {byte for byte in shown if byte < 0x20} == set(CGRAM_CODES)


def test_rows_never_run_over_whatever_the_numbers() -> None:
    for vector in json.loads(VECTORS.read_text()):
        cols = vector["payload"]["cols"]
        assert [len(bytes.fromhex(row)) for row in vector["rows"]] == [cols] * len(vector["rows"])
    longest = [v for v in json.loads(VECTORS.read_text()) if v["name"] == "longest-times-20x4"]
    assert bytes.fromhex(longest[0]["rows"][3]).endswith(b"596:31:23/596:31:")
