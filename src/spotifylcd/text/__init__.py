"""Unicode → display text: ASCII for legacy firmware, ROM characters for real LCDs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from itertools import groupby
from typing import Final

from ..hd44780.rom import SUBSTITUTES, Rom, encoder_for
from .japanese import load_dictionaries, to_half_width_katakana
from .normalize import normalize, tidy
from .reading import HanReading, decide_han_reading
from .romanize import load_tables as load_transliteration_tables
from .romanize import romanize, transliterate
from .scripts import Script, script_of


class JapaneseMode(StrEnum):
    """How an A00 display shows Japanese: transliterated, or natively in katakana."""

    ROMAJI = "romaji"
    KATAKANA = "katakana"


@dataclass(frozen=True, slots=True)
class TextSettings:
    """Per-account text choices; hashable, so per-track results can be cached."""

    han_reading: HanReading = HanReading.AUTO
    japanese: JapaneseMode = JapaneseMode.ROMAJI
    country: str = ""
    overrides: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class TrackText:
    """One track's strings for one ROM (or ASCII), each already display-ready."""

    title: str
    artists: tuple[str, ...]
    album: str


def load_tables() -> None:
    """Read every dictionary and table the text engine uses (blocking; call off the loop).

    Home Assistant runs it in an executor at set-up and the standalone server before it
    listens, so the first Japanese, Korean or Chinese title costs no file I/O on the loop.
    """
    load_dictionaries()
    load_transliteration_tables()


@lru_cache(maxsize=1024)
def to_ascii(text: str, reading: HanReading = HanReading.CHINESE) -> str:
    """Printable ASCII for one string without track context (Han read as `reading`)."""
    return romanize(normalize(text), reading)


def drawable_letters(rom: Rom) -> frozenset[str]:
    """Letters a CGRAM glyph can show on `rom`: those the A02 ROM draws and `rom` lacks."""
    if rom is Rom.A02:
        return frozenset()
    native = encoder_for(rom).characters()
    return frozenset(
        char for char in encoder_for(Rom.A02).characters() if char.isalpha() and char not in native
    )


def fallback(char: str, rom: Rom) -> str:
    """What to show for `char` on `rom` without a glyph of its own: ROM characters only."""
    encoder = encoder_for(rom)
    ascii_text = SUBSTITUTES.get(char) or transliterate(char)
    return "".join(
        out for c in ascii_text if (out := c if encoder.can_show(c) else SUBSTITUTES.get(c, ""))
    )


_WORDS: Final = re.compile(r"\w+|\W", re.UNICODE)


def _showable(token: str, rom: Rom, drawable: frozenset[str]) -> str:
    """A word kept whole when the ROM (or CGRAM) can show every letter, else transliterated.

    Mixing scripts inside a word ("Шut") reads worse than a clean transliteration ("Shut").
    """
    encoder = encoder_for(rom)
    if all(encoder.can_show(char) or char in drawable for char in token):
        return token
    return (
        "".join(fallback(char, rom) for char in transliterate(token))
        if len(token) > 1
        else (fallback(token, rom))
    )


def for_rom(text: str, rom: Rom, reading: HanReading, japanese: JapaneseMode) -> str:
    """`text` as characters the ROM shows, plus letters a CGRAM glyph could draw.

    CJK and Hangul are romanized per `reading` (or, on A00 with katakana on, Japanese is
    written in half-width katakana); other characters are kept when the ROM has them.
    """
    drawable = drawable_letters(rom)
    katakana = rom is Rom.A00 and japanese is JapaneseMode.KATAKANA
    out: list[str] = []
    for is_cjk, chars in groupby(
        normalize(text), key=lambda char: script_of(char) is not Script.OTHER
    ):
        run = "".join(chars)
        if is_cjk:
            native = katakana and reading is HanReading.JAPANESE
            run = to_half_width_katakana(run) if native else romanize(run, reading)
            if out and out[-1][-1:].isalnum() and run[:1].isalnum() and not native:
                run = " " + run
        out.append("".join(_showable(token, rom, drawable) for token in _WORDS.findall(run)))
    return tidy("".join(out))


@lru_cache(maxsize=1024)
def track_text(
    title: str,
    artists: tuple[str, ...],
    album: str,
    settings: TextSettings,
    rom: Rom | None,
) -> TrackText:
    """A track's strings for `rom` (None: printable ASCII), transliterated once per track."""
    overrides = dict(settings.overrides)
    title, album = overrides.get(title, title), overrides.get(album, album)
    artists = tuple(overrides.get(artist, artist) for artist in artists)
    reading = decide_han_reading((title, *artists, album), settings.han_reading, settings.country)

    def convert(text: str) -> str:
        if rom is None:
            return romanize(normalize(text), reading)
        return for_rom(text, rom, reading, settings.japanese)

    return TrackText(
        title=convert(title),
        artists=tuple(name for name in map(convert, artists) if name),
        album=convert(album),
    )


__all__ = [
    "HanReading",
    "JapaneseMode",
    "TextSettings",
    "TrackText",
    "decide_han_reading",
    "drawable_letters",
    "fallback",
    "for_rom",
    "load_tables",
    "normalize",
    "to_ascii",
    "track_text",
]
