"""Hindi in Devanagari → the romanization Hindi readers write (तुम ही हो → Tum Hi Ho).

Every consonant letter carries an inherent "a" that Hindi does not always say: it is dropped
at the end of a word (तुम tum, not tuma) and inside one between a vowel-consonant and a
consonant-vowel (अपना apna, बचपन bachpan, रहमान rahman), scanning from the right, as Ohala's
rule describes; after a consonant cluster it stays (ब्रह्मास्त्र brahmastra, चन्ना channa).
Letters are the plain ones of Bollywood credits: no diacritics, ā as a, ś and ṣ as sh,
छ as chh, ड़ as d.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from .scripts import convert_runs

CONSONANTS: Final = {
    "क": "k", "ख": "kh", "ग": "g", "घ": "gh", "ङ": "n",
    "च": "ch", "छ": "chh", "ज": "j", "झ": "jh", "ञ": "n",
    "ट": "t", "ठ": "th", "ड": "d", "ढ": "dh", "ण": "n",
    "त": "t", "थ": "th", "द": "d", "ध": "dh", "न": "n",
    "प": "p", "फ": "ph", "ब": "b", "भ": "bh", "म": "m",
    "य": "y", "र": "r", "ल": "l", "ळ": "l", "व": "v",
    "श": "sh", "ष": "sh", "स": "s", "ह": "h",
    "क़": "q", "ख़": "kh", "ग़": "gh", "ज़": "z", "ड़": "d", "ढ़": "dh", "फ़": "f", "य़": "y",
}  # fmt: skip
NUKTA: Final = "\u093c"
VIRAMA: Final = "\u094d"
INDEPENDENT_VOWELS: Final = {
    "अ": "a", "आ": "a", "इ": "i", "ई": "i", "उ": "u", "ऊ": "u", "ऋ": "ri",
    "ए": "e", "ऐ": "ai", "ओ": "o", "औ": "au", "ऑ": "o", "ऍ": "e",
}  # fmt: skip
VOWEL_SIGNS: Final = {
    "\u093e": "a", "\u093f": "i", "\u0940": "i", "\u0941": "u", "\u0942": "u", "\u0943": "ri",
    "\u0947": "e", "\u0948": "ai", "\u094b": "o", "\u094c": "au", "\u0949": "o", "\u0945": "e",
}  # fmt: skip
ANUSVARA: Final = "\u0902"
CHANDRABINDU: Final = "\u0901"
VISARGA: Final = "\u0903"
INHERENT: Final = "a"
LABIALS: Final = frozenset("pbm")
DIGITS: Final = {chr(0x0966 + digit): str(digit) for digit in range(10)}
PUNCTUATION: Final = {"।": ".", "॥": ".", "ऽ": ""}


@dataclass(slots=True)
class _Syllable:
    """Consonants (possibly none), a vowel (the inherent one, maybe dropped), a nasal or h."""

    consonants: list[str] = field(default_factory=list)
    vowel: str = ""
    inherent: bool = False
    coda: str = ""


def _syllables(word: str) -> list[_Syllable]:
    syllables: list[_Syllable] = []
    pending: list[str] = []  # consonants joined by a virama, waiting for their vowel
    chars = list(word)
    index = 0
    while index < len(chars):
        char = chars[index]
        if index + 1 < len(chars) and chars[index + 1] == NUKTA:
            char += NUKTA
            index += 1
        index += 1
        if char in CONSONANTS:
            pending.append(CONSONANTS[char])
            if index < len(chars) and chars[index] == VIRAMA:
                index += 1
                continue
            sign = VOWEL_SIGNS.get(chars[index]) if index < len(chars) else None
            if sign is not None:
                index += 1
            syllables.append(_Syllable(pending, sign or INHERENT, inherent=sign is None))
            pending = []
        elif char in INDEPENDENT_VOWELS:
            syllables.append(_Syllable([], INDEPENDENT_VOWELS[char]))
        elif char in {ANUSVARA, CHANDRABINDU, VISARGA} and syllables:
            syllables[-1].coda = "h" if char == VISARGA else "n"
    if pending:  # a word ending in a virama: its consonants close the last syllable
        syllables.append(_Syllable(pending))
    return syllables


def _drop_schwas(syllables: list[_Syllable]) -> None:
    """Hindi's schwa deletion, in place."""

    def droppable(syllable: _Syllable) -> bool:
        return syllable.inherent and not syllable.coda and len(syllable.consonants) == 1

    last = syllables[-1]
    if len(syllables) > 1 and droppable(last):
        last.vowel = ""
    for index in range(len(syllables) - 2, 0, -1):
        before, this, after = syllables[index - 1], syllables[index], syllables[index + 1]
        if (
            droppable(this)
            and before.vowel
            and not before.coda
            and len(after.consonants) == 1
            and after.vowel
        ):
            this.vowel = ""


def _romanize_word(word: str) -> str:
    syllables = _syllables(word)
    if not syllables:
        return ""
    _drop_schwas(syllables)
    out = []
    for index, syllable in enumerate(syllables):
        out.append("".join(syllable.consonants) + syllable.vowel)
        if syllable.coda == "n":
            following = syllables[index + 1].consonants[:1] if index + 1 < len(syllables) else []
            # सिंह is said "singh"; before p, b, m the nasal is an m (अंबर ambar).
            out.append(
                "ng"
                if following == ["h"]
                else "m"
                if following and following[0][0] in LABIALS
                else "n"
            )
        else:
            out.append(syllable.coda)
    romanized = "".join(out)
    return romanized[:1].upper() + romanized[1:]


# Outside words only: inside one there are neither (see `_in_word`).
_SIGNS: Final = str.maketrans({**DIGITS, **PUNCTUATION})


def is_devanagari(char: str) -> bool:
    """Whether `char` belongs to the Devanagari block."""
    return "\u0900" <= char <= "\u097f"


def _in_word(char: str) -> bool:
    return is_devanagari(char) and char not in DIGITS and char not in PUNCTUATION


def romanize_devanagari(text: str) -> str:
    """Every Devanagari word of `text` romanized and capitalized; digits and dandas as ASCII."""
    return convert_runs(text, _in_word, _romanize_word).translate(_SIGNS)
