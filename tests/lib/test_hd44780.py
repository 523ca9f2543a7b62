"""HD44780 ROMs and CGRAM: the bytes that reach the controller."""

from __future__ import annotations

import pytest

from spotifylcd.hd44780.allocation import GlyphPlan
from spotifylcd.hd44780.cgram import PLAY, Glyph, bar_glyph
from spotifylcd.hd44780.font import letter_glyph, rom_glyph
from spotifylcd.hd44780.rom import CGRAM_CODES, CGRAM_SLOTS, Rom, cgram_slot, encoder_for
from spotifylcd.text import fallback


@pytest.mark.parametrize("rom", [Rom.A00, Rom.ASCII])
def test_backslash_and_tilde_never_become_yen_or_arrow(rom: Rom) -> None:
    encoder = encoder_for(rom)
    assert encoder.code("\\") is None
    assert encoder.code("~") is None
    plan = GlyphPlan(rom)
    encoded = plan.encode("a\\b~c", lambda char: fallback(char, rom))
    assert [ord(c) for c in encoded] == [0x61, 0x2F, 0x62, 0x2D, 0x63]
    assert not {0x5C, 0x7E} & {ord(c) for c in encoded}


def test_a02_has_real_backslash_and_tilde() -> None:
    assert (encoder_for(Rom.A02).code("\\"), encoder_for(Rom.A02).code("~")) == (0x5C, 0x7E)


def test_a00_yen_and_arrows() -> None:
    encoder = encoder_for(Rom.A00)
    assert (encoder.code("¥"), encoder.code("→"), encoder.code("←")) == (0x5C, 0x7E, 0x7F)


@pytest.mark.parametrize(
    ("kana", "code"),
    [
        ("ｱ", 0xB1),
        ("ｶ", 0xB6),
        ("ﾝ", 0xDD),
        ("ﾞ", 0xDE),
        ("ﾟ", 0xDF),
        ("ｰ", 0xB0),
        ("ｯ", 0xAF),
        ("ｦ", 0xA6),
        ("｡", 0xA1),
    ],
)
def test_half_width_katakana_bytes(kana: str, code: int) -> None:
    assert encoder_for(Rom.A00).code(kana) == code


def test_a02_draws_cyrillic_capitals_and_latin_1() -> None:
    encoder = encoder_for(Rom.A02)
    assert encoder.code("Ж") is not None
    assert encoder.code("é") == 0xE9
    assert encoder.code("ｱ") is None


def test_rom_glyphs_are_the_datasheet_shapes() -> None:
    assert rom_glyph(Rom.A00, 0x41) == Glyph.from_art(
        ".###.",
        "#...#",
        "#...#",
        "#...#",
        "#####",
        "#...#",
        "#...#",
        ".....",
    )
    # 0x5C is ¥ on A00, \ on A02.
    assert rom_glyph(Rom.A00, 0x5C) == Glyph.from_art(
        "#...#",
        ".#.#.",
        "#####",
        "..#..",
        "#####",
        "..#..",
        "..#..",
        ".....",
    )
    assert rom_glyph(Rom.A02, 0x5C).rows[2:5] == (0b10000, 0b01000, 0b00100)
    assert rom_glyph(Rom.A00, 0xFF) == Glyph((0b11111,) * 8)
    assert rom_glyph(Rom.A00, 0x05) == Glyph.blank()


def test_glyph_wire_form_round_trips() -> None:
    assert PLAY.hex() == "0010181c1e1c1810"
    assert Glyph.from_hex(PLAY.hex()) == PLAY
    with pytest.raises(ValueError, match="8 rows"):
        Glyph((1, 2, 3))
    with pytest.raises(ValueError, match="8 rows"):
        Glyph((32,) * 8)


@pytest.mark.parametrize(("columns", "row"), [(1, 0b10000), (3, 0b11100), (5, 0b11111)])
def test_bar_glyph_columns(columns: int, row: int) -> None:
    assert bar_glyph(columns).rows == (0, row, row, row, row, row, row, 0)


def test_a00_bar_uses_rom_full_block_and_four_slots() -> None:
    plan = GlyphPlan(Rom.A00)
    assert [ord(c) for c in plan.bar_levels()] == [0x08, 0x01, 0x02, 0x03, 0xFF]
    assert len(plan.glyphs) == 4


def test_a02_bar_needs_a_fifth_slot_for_the_full_cell() -> None:
    plan = GlyphPlan(Rom.A02)
    assert [ord(c) for c in plan.bar_levels()] == [0x08, 0x01, 0x02, 0x03, 0x04]


def test_cgram_never_exceeds_eight_and_the_rest_falls_back() -> None:
    plan = GlyphPlan(Rom.A00)
    plan.bar_levels()
    plan.add(PLAY)
    word = "éèêëàåçøœÉÈÊ"  # 12 letters A00 lacks
    plan.add_letters([word + "é" * 5 + "å" * 3], frozenset(word))
    assert len(plan.glyphs) == CGRAM_SLOTS
    assert list(plan.letters) == ["é", "å", "È"]  # the most frequent first, then by code point
    encoded = plan.encode(word, lambda char: fallback(char, Rom.A00))
    assert encoded[0] == plan.letters["é"] == chr(CGRAM_CODES[5])
    assert encoded[1:3] == "ee"  # no slot left for è, ê: transliterated
    assert "oe" in encoded
    assert all(ord(c) != 0 for c in encoded)


def test_adding_a_loaded_glyph_reuses_its_slot() -> None:
    plan = GlyphPlan(Rom.A00)
    assert plan.add(PLAY) == plan.add(PLAY) == "\x08"  # slot 0, never NUL
    assert len(plan.glyphs) == 1


# What ESPHome's LCDDisplay::print does not draw: 0x00 ends the string, 0x0A starts a new row.
ESPHOME_CONTROL_BYTES = frozenset({0x00, 0x0A})
C_WHITESPACE = frozenset(b" \t\n\v\f\r")


def test_every_cgram_slot_has_one_code_that_is_neither_control_nor_whitespace() -> None:
    assert len(set(CGRAM_CODES)) == CGRAM_SLOTS == 8
    # The controller shows CGRAM slot n for byte n and for its mirror n + 8.
    assert all(code in (slot, slot + 8) for slot, code in enumerate(CGRAM_CODES))
    assert not set(CGRAM_CODES) & (ESPHOME_CONTROL_BYTES | C_WHITESPACE)
    assert [cgram_slot(code) for code in CGRAM_CODES] == list(range(CGRAM_SLOTS))
    assert cgram_slot(0x00) is cgram_slot(0x0A) is cgram_slot(0x41) is None


@pytest.mark.parametrize("rom", list(Rom))
def test_no_rom_byte_is_a_control_byte_or_a_glyph_code(rom: Rom) -> None:
    codes = {encoder_for(rom).code(char) for char in encoder_for(rom).characters()}
    assert min(code for code in codes if code is not None) >= 0x20


def test_greek_capitals_a02_lacks_are_drawn_into_custom_glyphs() -> None:
    for char in "ΔΘΛΞΠΨ":
        assert encoder_for(Rom.A02).code(char) is None
        glyph = letter_glyph(char)
        assert glyph is not None
        assert glyph != Glyph.blank()
    assert letter_glyph("é") == rom_glyph(Rom.A02, encoder_for(Rom.A02).code("é") or 0)
    assert letter_glyph("あ") is None
    plan = GlyphPlan(Rom.A02)
    plan.add_letters(["ΑΒΓΔ ΣΩ"], frozenset("Δ"))
    assert plan.encode("Δ", lambda _char: "D") == plan.letters["Δ"]
