"""A02 shows Cyrillic and Greek in their own letters: ROM glyphs, identical twins, capitals."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from luma.lcd.const import hd44780 as luma_hd44780

from spotifylcd.hd44780.rom import CGRAM_CODES, Rom, encoder_for
from spotifylcd.payload import v2_payload
from spotifylcd.playback import Playback
from spotifylcd.screen import SIZES
from spotifylcd.settings import DisplaySettings
from spotifylcd.status import AccountStatus, Snapshot
from spotifylcd.text import (
    HanReading,
    JapaneseMode,
    TextSettings,
    drawable_letters,
    for_rom,
    track_text,
)
from spotifylcd.text.lookalikes import TWINS

CYRILLIC = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюяІЇЄҐіїєґ"
GREEK = "ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩαβγδεζηθικλμνξοπρστυφχψωςάέήίόύώϊϋΐΰ"
# luma.lcd's font table for the AiP31066 with its Cyrillic ROM: it draws Cyrillic letters that
# look like Latin ones with the Latin glyphs, the very codes the A02 has.
AIP31066_CYRILLIC = 2


def shown(text: str) -> str:
    return for_rom(text, Rom.A02, HanReading.CHINESE, JapaneseMode.ROMAJI)


@pytest.mark.parametrize(
    ("text", "glass"),
    [
        # The cases: Cyrillic and Greek on the glass, not "GRUPPA KROVI".
        ("ГРУППА КРОВИ / КИНО", "ΓPУППA KPOBИ / KИHO"),
        ("ΑΒΓΔ ΣΩ", "ABΓΔ ΣΩ"),
        # Lower case the ROM cannot draw: the whole string in capitals.
        ("Группа крови", "ΓPУППA KPOBИ"),
        ("Король и Шут", "KOPOЛb И ШУT"),
        ("Ёлка", "ËЛKA"),
        ("Би-2", "БИ-2"),
        # Greek capitals drop their accents; a dialytika stays.
        ("Συννεφιασμένη Κυριακή", "ΣYNNEΦIAΣMENH KYPIAKH"),
        ("Λαϊκά", "ΛAÏKA"),
        ("σε μένα", "ΣE MENA"),  # one word needs capitals: all of them get them
        # Lower case the ROM has is kept.
        ("αδεπ στω", "αδεπ στω"),
        # Letters no ROM or glyph can show: the word is romanized whole.
        ("Європа", "Ievropa"),
        ("Шut", "Шut"),  # a Latin word with a Cyrillic letter the ROM has
        ("Café Δ", "Café Δ"),
    ],
)
def test_a02_writes_cyrillic_and_greek_in_its_own_letters(text: str, glass: str) -> None:
    assert shown(text) == glass


def test_a_ukrainian_track_romanizes_what_a02_cannot_draw_the_ukrainian_way() -> None:
    text = track_text("Обійми", ("Океан Ельзи",), "Європа", TextSettings(), Rom.A02)
    assert (text.title, text.artists, text.album) == ("OБIЙMИ", ("OKEAH EЛbЗИ",), "Yevropa")


def test_other_roms_romanize_cyrillic_and_greek() -> None:
    for rom in (Rom.A00, Rom.ASCII):
        assert for_rom("ГРУППА КРОВИ", rom, HanReading.CHINESE, JapaneseMode.ROMAJI) == (
            "GRUPPA KROVI"
        )
        assert for_rom("ΑΒΓΔ", rom, HanReading.CHINESE, JapaneseMode.ROMAJI) == "AVGD"


def test_twins_are_letters_the_a02_rom_draws() -> None:
    assert all(encoder_for(Rom.A02).can_show(twin) for twin in TWINS.values())


def test_latin_twins_are_what_a_cyrillic_lcd_rom_draws_for_those_letters() -> None:
    mapping = luma_hd44780.FONTDATA["mappings"][AIP31066_CYRILLIC]
    latin = {letter: twin for letter, twin in TWINS.items() if twin.isascii() and letter.isupper()}
    assert set(latin) >= set("АВЕКМНОРСТХЬ")
    for letter, twin in latin.items():
        if ord(letter) in mapping:
            assert mapping[ord(letter)] == ord(twin), letter


@given(st.text(alphabet=CYRILLIC + GREEK + " -", max_size=30))
def test_fuzz_a02_shows_only_rom_letters_and_greek_glyph_letters(text: str) -> None:
    glass = shown(text)
    encoder = encoder_for(Rom.A02)
    assert all(encoder.can_show(char) or char in drawable_letters(Rom.A02) for char in glass)


def test_the_payload_spends_no_glyph_on_cyrillic() -> None:
    state = {
        "is_playing": True,
        "currently_playing_type": "track",
        "progress_ms": 1000,
        "item": {
            "type": "track",
            "name": "ГРУППА КРОВИ",
            "duration_ms": 290000,
            "artists": [{"name": "КИНО"}],
            "album": {"name": "Группа крови"},
        },
    }
    snapshot = Snapshot(AccountStatus.OK, Playback.from_spotify(state, 0.0))
    payload = v2_payload(snapshot, 0.0, DisplaySettings(Rom.A02, SIZES["16x2"]))
    a02 = encoder_for(Rom.A02)
    assert payload["title"] == "".join(chr(a02.code(char) or 0) for char in "ΓPУППA KPOBИ")
    assert payload["artist"] == "".join(chr(a02.code(char) or 0) for char in "KИHO")
    assert not set(map(ord, payload["title"] + payload["artist"])) & set(CGRAM_CODES)
