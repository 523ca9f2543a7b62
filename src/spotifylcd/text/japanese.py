"""Japanese read as Japanese: Hepburn romaji with word spacing, or katakana for A00 ROMs."""

from __future__ import annotations

from functools import cache
from typing import Final

import jaconv
import pykakasi

from .scripts import Script, script_of

# Particles and the copula stand as words of their own, lower case ("Yoru ni Kakeru").
PARTICLES: Final = frozenset(
    {
        "wa",
        "ha",
        "ga",
        "wo",
        "o",
        "ni",
        "de",
        "to",
        "no",
        "mo",
        "he",
        "e",
        "ya",
        "na",
        "ka",
        "kara",
        "made",
        "yori",
        "yo",
        "ne",
        "da",
        "desu",
    }
)
PROLONGED_SOUND_MARK: Final = "ー"
# Kana written one way and read another when they stand alone as particles.
PARTICLE_READINGS: Final = {"は": "wa", "へ": "e", "を": "o"}


@cache
def _kakasi() -> pykakasi.kakasi:
    # Loading the dictionaries takes ~0.4 s; do it once, on first use.
    return pykakasi.kakasi()


def load_dictionaries() -> None:
    """Open pykakasi's dictionaries now (blocking file reads), not inside a request."""
    # Kanji, hiragana, katakana and half-width kana each reach a dictionary of their own.
    _kakasi().convert("漢字ひらがなカタカナｶﾀｶﾅ")


def _is_hiragana_only(text: str) -> bool:
    return all("\u3040" <= char <= "\u309f" for char in text)


def _long_vowels(romaji: str, original: str) -> str:
    """Modified Hepburn without macrons: 東京 toukyou → tokyo, ラーメン raamen → ramen."""
    if all(script_of(char) is Script.HAN for char in original):
        return romaji.replace("ou", "o").replace("oo", "o").replace("uu", "u")
    return romaji


def to_romaji(text: str) -> str:
    """Romaji words: okurigana joined to their stem, particles lower case and spaced."""
    words: list[str] = []
    previous_kanji = False
    for token in _kakasi().convert(text.replace(PROLONGED_SOUND_MARK, "")):
        original, romaji = token["orig"], token["hepburn"]
        if not romaji.strip():
            if original.strip():
                words.append(original)
            continue
        romaji = PARTICLE_READINGS.get(original) or _long_vowels(romaji, original)
        if (not romaji[0].isalnum() and words) or (
            _is_hiragana_only(original) and romaji not in PARTICLES and previous_kanji and words
        ):
            words[-1] += romaji
        elif romaji in PARTICLES and _is_hiragana_only(original):
            words.append(romaji)
        else:
            words.append(romaji[:1].upper() + romaji[1:])
        previous_kanji = any(script_of(char) is Script.HAN for char in original)
    return " ".join(words)


def to_half_width_katakana(text: str) -> str:
    """Kanji and hiragana read into katakana, then half-width: what the A00 ROM shows."""
    kana = "".join(
        token["kana"]
        if any(script_of(c) in (Script.HAN, Script.KANA) for c in token["orig"])
        else token["orig"]
        for token in _kakasi().convert(text)
    )
    return str(jaconv.z2h(jaconv.hira2kata(kana), kana=True, ascii=False, digit=False))
