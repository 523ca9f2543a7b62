"""Any Unicode text → readable ASCII, script by script (the legacy and `ascii` ROM path)."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from functools import cache
from itertools import groupby
from typing import TYPE_CHECKING, Final

from anyascii import anyascii

from .cyrillic import is_cyrillic, romanize_cyrillic
from .devanagari import is_devanagari, romanize_devanagari
from .greek import is_greek, romanize_greek
from .japanese import to_romaji
from .korean import romanize_hangul
from .normalize import tidy
from .reading import HanReading
from .scripts import Script, script_of
from .thai import is_thai, romanize_thai

if TYPE_CHECKING:
    from collections.abc import Callable

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


def load_tables(text: str) -> None:
    """Read anyascii's table for each block `text` uses (blocking; off the loop).

    anyascii reads a block's file the first time a character of it is seen: only the blocks
    listeners play are read.
    """
    for char in set(text):
        if not char.isascii():
            anyascii(char)


def load_pinyin() -> None:
    """Import pypinyin and its phrase dictionary (~50 MiB; blocking, off the loop)."""
    _lazy_pinyin()("中文")


@cache
def _lazy_pinyin() -> Callable[[str], list[str]]:
    from pypinyin import lazy_pinyin  # noqa: PLC0415 - ~30 MiB, loaded on the first Han title

    return lazy_pinyin


def _capitalised_words(text: str) -> str:
    return " ".join(word[:1].upper() + word[1:] for word in text.split(" "))


def _pinyin(text: str) -> str:
    # pypinyin writes ü as v (女 nv); without its diacritic ü is a u.
    return " ".join(
        syllable.replace("v", "u").capitalize()
        for syllable in _lazy_pinyin()(text)
        if syllable.strip()
    )


def _korean(text: str) -> str:
    # Jamo standing alone (ㅋㅋ) are no syllables: anyascii spells them.
    return _capitalised_words(transliterate(romanize_hangul(text)))


class _Kind(StrEnum):
    """Runs of text romanized together, each by its own reader."""

    JAPANESE = "japanese"
    CHINESE = "chinese"
    KOREAN = "korean"
    THAI = "thai"
    DEVANAGARI = "devanagari"
    GREEK = "greek"
    CYRILLIC = "cyrillic"
    OTHER = "other"


_KIND_OF_SCRIPT: Final = {Script.KANA: _Kind.JAPANESE, Script.HANGUL: _Kind.KOREAN}
_HAN_KINDS: Final = {HanReading.JAPANESE: _Kind.JAPANESE, HanReading.KOREAN: _Kind.KOREAN}


def _kind(char: str, reading: HanReading) -> _Kind:
    script = script_of(char)
    if script is Script.HAN:
        return _HAN_KINDS.get(reading, _Kind.CHINESE)
    if script is not Script.OTHER:
        return _KIND_OF_SCRIPT[script]
    if char == " " and reading is HanReading.KOREAN:
        return _Kind.KOREAN
    for kind, belongs in (
        (_Kind.THAI, is_thai),
        (_Kind.DEVANAGARI, is_devanagari),
        (_Kind.GREEK, is_greek),
        (_Kind.CYRILLIC, is_cyrillic),
    ):
        if belongs(char):
            return kind
    return _Kind.OTHER


def _romanized(kind: _Kind, run: str, *, ukrainian: bool) -> str:
    if kind is _Kind.JAPANESE:
        return to_romaji(run)
    if kind is _Kind.CHINESE:
        return _pinyin(run)
    if kind is _Kind.KOREAN:
        return _korean(run)
    if kind is _Kind.THAI:
        return romanize_thai(run)
    if kind is _Kind.DEVANAGARI:
        return romanize_devanagari(run)
    if kind is _Kind.GREEK:
        return romanize_greek(run)
    if kind is _Kind.CYRILLIC:
        return romanize_cyrillic(run, ukrainian=ukrainian)
    return transliterate(run)


def romanize(text: str, reading: HanReading, *, ukrainian: bool = False) -> str:
    """Printable ASCII: each script as its readers romanize it, the rest via anyascii.

    CJK is read per `reading`, Hangul as Revised Romanization word by word, Thai in RTGS,
    Hindi with its silent vowels dropped, Greek in ELOT 743, Cyrillic as Russian unless
    `ukrainian`.
    """
    out = ""
    previous_kind: _Kind | None = None
    for kind, chars in groupby(text, key=lambda char: _kind(char, reading)):
        piece = _romanized(kind, "".join(chars), ukrainian=ukrainian)
        # A romanized run touching a Latin word gets a space: "LiSA紅蓮華" → "LiSA Guren Hana".
        if out and piece and kind != previous_kind and out[-1].isalnum() and piece[0].isalnum():
            out += " "
        out += piece
        previous_kind = kind
    return tidy(_NOT_PRINTABLE.sub("", out))
