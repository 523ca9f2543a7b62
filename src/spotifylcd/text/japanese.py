"""Japanese read as Japanese: Hepburn romaji with word spacing, or katakana for A00 ROMs."""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, Final

import jaconv

from .kanwa import install as install_kanwa_on_disk
from .scripts import Script, script_of

if TYPE_CHECKING:
    import pykakasi

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
# Loanword kana pairs that pykakasi spells letter by letter ("ティ" → "tei"): modified Hepburn.
LOANWORD_KANA: Final = {
    "てぃ": "ti",
    "でぃ": "di",
    "とぅ": "tu",
    "どぅ": "du",
    "うぃ": "wi",
    "うぇ": "we",
    "うぉ": "wo",
    "しぇ": "she",
    "じぇ": "je",
    "ちぇ": "che",
    "つぁ": "tsa",
    "つぃ": "tsi",
    "つぇ": "tse",
    "つぉ": "tso",
    "てゅ": "tyu",
    "でゅ": "dyu",
    "ふゅ": "fyu",
    "いぇ": "ye",
    "くぁ": "kwa",
    "ぐぁ": "gwa",
}
_LOANWORD_KANA: Final = re.compile("(" + "|".join(LOANWORD_KANA) + ")")
SOKUON: Final = "っ"
# Kanji pykakasi reads as the suffix they also are (田中君 -kun, 一月 -gatsu, 有名 -mei); standing
# alone, as in titles (君の名は, 月が綺麗), they are words of their own.
STANDALONE_READINGS: Final = {"君": "kimi", "月": "tsuki", "名": "na"}
# pykakasi leaves the volitional う (歩こう) a token of its own: after an o it lengthens it.
VOLITIONAL_U: Final = "う"
# A long vowel inside a Sino-Japanese word (東京 toukyou, 炎 honoo, 空中 kuuchuu) is written
# once; "oue" is most often o + ue, as in names (井上 i-no-ue, 村上), and stays.
_SINO_LONG_VOWEL: Final = re.compile(r"(o)(?:u(?!e)|o)|(u)u")
# ...and in kana, the long o and u after a y-glide: しょう shou, きゅう kyuu, ように youni.
_KANA_LONG_VOWEL: Final = re.compile(r"(?<=y|h|j)(o)u|(?<=y|h|j)(u)u")


@cache
def _kakasi() -> pykakasi.kakasi:
    # Importing pykakasi and unpickling its dictionaries takes ~0.4 s and ~90 MiB: only a
    # server whose listeners play Japanese pays for it, once, on first use.
    import pykakasi  # noqa: PLC0415 - loaded on first Japanese title, see above

    install_kanwa_on_disk()
    return pykakasi.kakasi()


def load_dictionaries(text: str = "") -> None:
    """Open pykakasi's dictionaries, and read `text`'s kanji from disk (blocking; off the loop)."""
    # Kanji, hiragana, katakana and half-width kana each reach a dictionary of their own.
    _kakasi().convert("漢字ひらがなカタカナｶﾀｶﾅ" + text)


def _is_japanese(text: str) -> bool:
    return any(script_of(char) in (Script.HAN, Script.KANA) for char in text)


def _is_hiragana_only(text: str) -> bool:
    return all("\u3040" <= char <= "\u309f" for char in text)


def _takes_suffix(char: str) -> bool:
    """Whether a kanji after `char` reads as its suffix: after kanji, digits, Latin letters."""
    return bool(char) and ((char.isascii() and char.isalnum()) or script_of(char) is Script.HAN)


def _long_vowels(romaji: str, original: str) -> str:
    """Modified Hepburn without macrons: 東京 toukyou → tokyo, ように youni → yoni.

    Katakana long vowels are marked with ー, dropped before pykakasi sees them (raamen → ramen
    would need it; ラーメン arrives as ラメン).
    """
    if all(script_of(char) is Script.HAN for char in original):
        return _SINO_LONG_VOWEL.sub(lambda match: match.group(1) or match.group(2), romaji)
    if any("\u3040" <= char <= "\u309f" for char in original):
        return _KANA_LONG_VOWEL.sub(lambda match: match.group(1) or match.group(2), romaji)
    return romaji


def _kana_hepburn(kana: str) -> str:
    """Hepburn of a kana reading, loanword pairs (ティ, ウィ) spelled as one syllable."""
    out: list[str] = []
    last = 0
    for match in _LOANWORD_KANA.finditer(kana):
        before = kana[last : match.start()]
        doubled = before.endswith(SOKUON)  # ッティ: the consonant doubles, as in "tti"
        out.extend(token["hepburn"] for token in _kakasi().convert(before.removesuffix(SOKUON)))
        syllable = LOANWORD_KANA[match.group()]
        out.append(syllable[0] * doubled + syllable)
        last = match.end()
    out.extend(token["hepburn"] for token in _kakasi().convert(kana[last:]))
    return "".join(out)


def _hepburn(token: dict[str, str]) -> str:
    if _LOANWORD_KANA.search(token["hira"]):
        return _kana_hepburn(token["hira"])
    return token["hepburn"]


def to_romaji(text: str) -> str:
    """Romaji words: okurigana joined to their stem, particles lower case and spaced."""
    words: list[str] = []
    previous_kanji = False
    previous_char = ""
    # The middle dot separates the words of a loan phrase (プラスティック・ラブ).
    for token in _kakasi().convert(text.replace(PROLONGED_SOUND_MARK, "").replace("・", " ")):
        original, romaji = token["orig"], _hepburn(token)
        before, previous_char = previous_char, original[-1:]
        if not romaji.strip():
            if original.strip():
                words.append(original)
            continue
        if original == VOLITIONAL_U and words and words[-1].endswith("o"):
            continue
        romaji = (
            PARTICLE_READINGS.get(original)
            or (STANDALONE_READINGS.get(original) if not _takes_suffix(before) else None)
            or _long_vowels(romaji, original)
        )
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
    kana = (
        "".join(
            token["kana"] if _is_japanese(token["orig"]) else token["orig"]
            for token in _kakasi().convert(text)
        )
        if _is_japanese(text)
        else text  # nothing to read: pykakasi's dictionaries need not be loaded
    )
    return str(jaconv.z2h(jaconv.hira2kata(kana), kana=True, ascii=False, digit=False))
