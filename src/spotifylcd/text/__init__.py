"""Unicode → display text: ASCII for legacy firmware, ROM characters for real LCDs."""

from __future__ import annotations

import gc
import sys
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from .cyrillic import reads_ukrainian
from .glass import JapaneseMode, drawable_letters, fallback, for_rom
from .han_forms import han_forms
from .japanese import load_dictionaries
from .normalize import normalize
from .reading import HanReading, decide_han_reading
from .romanize import load_pinyin, romanize
from .romanize import load_tables as load_transliteration_tables
from .scripts import Script, scripts_in
from .thai import is_thai
from .thai import load_dictionary as load_thai_dictionary

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ..hd44780.rom import Rom


# One load at a time, so the collector stays off for the whole of each.
_LOADING = threading.Lock()


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


def load_tables_for(strings: Iterable[str], genres: Iterable[str] = ()) -> None:
    """Read the dictionaries and tables these strings need (blocking; call off the loop).

    The poll engine runs it in a worker thread for each new item before displays see it, so
    no title costs file I/O on the loop, and a server holds only the dictionaries of the
    scripts its listeners play: pypinyin only for Han text not read as Japanese anyway (an
    account set to read kana titles' Han as Chinese loads it on its first such title).
    """
    fields = tuple(strings)
    text = "".join(fields)
    scripts = scripts_in(text)
    with _LOADING:
        # Off while loading: the collector's full passes over the objects a dictionary creates
        # ran in this thread holding the GIL, and stalled the event loop 70-280 ms.
        collecting = gc.isenabled()
        gc.disable()
        modules = len(sys.modules)
        try:
            if scripts & {Script.KANA, Script.HAN}:
                load_dictionaries(text)
            if Script.HAN in scripts:
                han_forms()
                if decide_han_reading(fields, genres=genres) is not HanReading.JAPANESE:
                    load_pinyin()
            if any(map(is_thai, text)):
                load_thai_dictionary()
            load_transliteration_tables(text)
        finally:
            if len(sys.modules) > modules:
                # What was just imported lives as long as the process: out of every later
                # pass too (a full one over pykakasi's objects took ~230 ms).
                gc.freeze()
            if collecting:
                gc.enable()


@lru_cache(maxsize=1024)
def to_ascii(text: str, reading: HanReading = HanReading.CHINESE) -> str:
    """Printable ASCII for one string without track context (Han read as `reading`)."""
    return romanize(normalize(text), reading)


@lru_cache(maxsize=1024)
def track_text(
    title: str,
    artists: tuple[str, ...],
    album: str,
    settings: TextSettings,
    rom: Rom | None,
    *,
    genres: tuple[str, ...] = (),
) -> TrackText:
    """A track's strings for `rom` (None: printable ASCII), transliterated once per track.

    `genres` are the Spotify genres of the track's artists ("j-pop", "mandopop"): they say
    how to read Han-only text when the characters themselves do not.
    """
    overrides = dict(settings.overrides)
    title, album = overrides.get(title, title), overrides.get(album, album)
    artists = tuple(overrides.get(artist, artist) for artist in artists)
    fields = (title, *artists, album)
    reading = decide_han_reading(fields, settings.han_reading, settings.country, genres)
    ukrainian = reads_ukrainian("".join(fields), settings.country, genres)

    def convert(text: str) -> str:
        if rom is None:
            return romanize(normalize(text), reading, ukrainian=ukrainian)
        return for_rom(text, rom, reading, settings.japanese, ukrainian=ukrainian)

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
    "load_tables_for",
    "normalize",
    "to_ascii",
    "track_text",
]
