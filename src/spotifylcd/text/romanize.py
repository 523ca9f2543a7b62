"""Any Unicode text → readable ASCII, script by script (the legacy and `ascii` ROM path)."""

from __future__ import annotations

import re
import unicodedata
from importlib.resources import files
from itertools import groupby
from typing import Final

from anyascii import anyascii
from pypinyin import lazy_pinyin

from .japanese import to_romaji
from .normalize import tidy
from .reading import HanReading
from .scripts import Script, script_of

_NOT_PRINTABLE: Final = re.compile(r"[^\x20-\x7e]")


def transliterate(text: str) -> str:
    """anyascii, except that a "?" only ever stands for a question mark in the source.

    anyascii spells some characters it has no reading for (Tangut, say) as "?".
    """
    return "".join(
        ascii_text if unicodedata.category(char) == "Po" else ascii_text.replace("?", "")
        for char in text
        if (ascii_text := anyascii(char))
    )


def load_tables() -> None:
    """Read anyascii's per-block tables and pypinyin's dictionaries now, not inside a request.

    anyascii reads a block's file the first time a character of it is seen; every block
    (640 files, ~4 MB decompressed, ~0.2 s) is read once so no title ever triggers file I/O.
    """
    for resource in files("anyascii._data").iterdir():
        if resource.name.isalnum() and len(resource.name) == 3:  # noqa: PLR2004 - "%03x" names
            anyascii(chr(max(0x80, int(resource.name, 16) << 8)))
    lazy_pinyin("中文")


def _capitalised_words(text: str) -> str:
    return " ".join(word[:1].upper() + word[1:] for word in text.split(" "))


def _pinyin(text: str) -> str:
    return " ".join(syllable.capitalize() for syllable in lazy_pinyin(text) if syllable.strip())


def _korean(text: str) -> str:
    # anyascii writes Revised Romanization syllable by syllable in CamelCase; one word each.
    return _capitalised_words(anyascii(text).lower())


def _run_kind(char: str, reading: HanReading) -> str:
    script = script_of(char)
    if script is Script.KANA or (script is Script.HAN and reading is HanReading.JAPANESE):
        return "japanese"
    if script is Script.HAN:
        return "chinese"
    if script is Script.HANGUL or (char == " " and reading is HanReading.KOREAN):
        return "korean"
    return "other"


def romanize(text: str, reading: HanReading) -> str:
    """Printable ASCII; CJK read per `reading`, Hangul as words, the rest via anyascii."""
    pieces: list[tuple[str, str]] = []
    for kind, chars in groupby(text, key=lambda char: _run_kind(char, reading)):
        run = "".join(chars)
        if kind == "japanese":
            pieces.append((kind, to_romaji(run)))
        elif kind == "chinese":
            pieces.append((kind, _pinyin(run)))
        elif kind == "korean":
            pieces.append((kind, _korean(run)))
        else:
            pieces.append((kind, transliterate(run)))
    out = ""
    previous_kind = ""
    for kind, piece in pieces:
        # A romanized run touching a Latin word gets a space: "LiSA紅蓮華" → "LiSA Guren Hana".
        if out and piece and kind != previous_kind and out[-1].isalnum() and piece[0].isalnum():
            out += " "
        out += piece
        previous_kind = kind
    return tidy(_NOT_PRINTABLE.sub("", out))
