"""Hangul → Revised Romanization, with the sound changes the system writes (좋니 → jonni).

Revised Romanization spells how a word is said, so the consonants meeting at a syllable
boundary inside a word change: a final moves onto a following vowel (걸음 georeum), k/t/p
become nasal before a nasal (국물 gungmul, 거짓말 geojinmal), ㄴ and ㄹ assimilate
(신라 silla, 종로 jongno, 독립 dongnip), ㅎ aspirates or goes silent (좋고 joko, 좋은 joeun,
좋니 jonni), and ㄷ/ㅌ before 이 palatalize (같이 gachi). Tensification is not
written, and ㄱ, ㄷ, ㅂ before ㅎ keep their h, as the system asks for nouns
(박효신 Bakhyosin, 묵호 Mukho). Words are romanized one at a time: no change crosses a space.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Final

from .scripts import convert_runs

FIRST_SYLLABLE: Final = 0xAC00
LAST_SYLLABLE: Final = 0xD7A3
VOWEL_COUNT: Final = 21
FINAL_COUNT: Final = 28

INITIALS: Final = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
FINALS: Final = ("", *"ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ")
VOWELS: Final = (
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae",
    "oe", "yo", "u", "wo", "we", "wi", "yu", "eu", "ui", "i",
)  # fmt: skip
INITIAL_LETTERS: Final = {
    "ㄱ": "g", "ㄲ": "kk", "ㄴ": "n", "ㄷ": "d", "ㄸ": "tt", "ㄹ": "r", "ㅁ": "m", "ㅂ": "b",
    "ㅃ": "pp", "ㅅ": "s", "ㅆ": "ss", "ㅇ": "", "ㅈ": "j", "ㅉ": "jj", "ㅊ": "ch", "ㅋ": "k",
    "ㅌ": "t", "ㅍ": "p", "ㅎ": "h",
}  # fmt: skip
# The sound a final makes before a consonant or at the end of a word.
FINAL_SOUNDS: Final = {
    "ㄱ": "ㄱ", "ㄲ": "ㄱ", "ㅋ": "ㄱ", "ㄳ": "ㄱ", "ㄺ": "ㄱ",
    "ㄴ": "ㄴ", "ㄵ": "ㄴ", "ㄶ": "ㄴ",
    "ㄷ": "ㄷ", "ㅅ": "ㄷ", "ㅆ": "ㄷ", "ㅈ": "ㄷ", "ㅊ": "ㄷ", "ㅌ": "ㄷ", "ㅎ": "ㄷ",
    "ㄹ": "ㄹ", "ㄼ": "ㄹ", "ㄽ": "ㄹ", "ㄾ": "ㄹ", "ㅀ": "ㄹ",
    "ㅁ": "ㅁ", "ㄻ": "ㅁ",
    "ㅂ": "ㅂ", "ㅍ": "ㅂ", "ㅄ": "ㅂ", "ㄿ": "ㅂ",
    "ㅇ": "ㅇ",
}  # fmt: skip
FINAL_LETTERS: Final = {
    "ㄱ": "k", "ㄴ": "n", "ㄷ": "t", "ㄹ": "l", "ㅁ": "m", "ㅂ": "p", "ㅇ": "ng",
}  # fmt: skip
# A double final before a vowel: the first consonant stays, the second moves on (닭이 dalgi);
# an ㅎ in it goes silent and what is left moves on (많아 mana).
SPLIT_FINALS: Final = {
    "ㄳ": ("ㄱ", "ㅅ"), "ㄵ": ("ㄴ", "ㅈ"), "ㄶ": ("", "ㄴ"), "ㄺ": ("ㄹ", "ㄱ"),
    "ㄻ": ("ㄹ", "ㅁ"), "ㄼ": ("ㄹ", "ㅂ"), "ㄽ": ("ㄹ", "ㅅ"), "ㄾ": ("ㄹ", "ㅌ"),
    "ㄿ": ("ㄹ", "ㅍ"), "ㅀ": ("", "ㄹ"), "ㅄ": ("ㅂ", "ㅅ"),
}  # fmt: skip
# Finals with an ㅎ, and what is left of them once the ㅎ has aspirated or gone silent.
H_FINALS: Final = {"ㅎ": "", "ㄶ": "ㄴ", "ㅀ": "ㄹ"}
NASAL_OF: Final = {"ㄱ": "ㅇ", "ㄷ": "ㄴ", "ㅂ": "ㅁ"}
ASPIRATED: Final = {"ㄱ": "ㅋ", "ㄷ": "ㅌ", "ㅈ": "ㅊ"}
PALATALIZED: Final = {"ㄷ": "ㅈ", "ㅌ": "ㅊ"}
VOWEL_I: Final = VOWELS.index("i")
SILENT: Final = "ㅇ"


def is_syllable(char: str) -> bool:
    """Whether `char` is a precomposed Hangul syllable (가-힣)."""
    return FIRST_SYLLABLE <= ord(char) <= LAST_SYLLABLE


@dataclass(slots=True)
class _Syllable:
    """One syllable as said: its initial and final change where syllables meet."""

    initial: str
    vowel: int
    final: str

    @classmethod
    def of(cls, char: str) -> _Syllable:
        initial, rest = divmod(ord(char) - FIRST_SYLLABLE, VOWEL_COUNT * FINAL_COUNT)
        vowel, final = divmod(rest, FINAL_COUNT)
        return cls(INITIALS[initial], vowel, FINALS[final])


def _before_vowel(final: str, vowel: int) -> tuple[str, str]:
    """A final meeting a vowel: it moves on to it (liaison)."""
    if final in {"", SILENT}:
        return final, SILENT
    if final == "ㅎ":
        return "", SILENT
    if final in SPLIT_FINALS:
        return SPLIT_FINALS[final]
    if final in PALATALIZED and vowel == VOWEL_I:
        return "", PALATALIZED[final]
    return "", final


def _after_h(final: str, initial: str) -> tuple[str, str] | None:
    """A final with ㅎ meeting a consonant: aspiration, or the ㅎ assimilates or goes."""
    kept = H_FINALS[final]
    if initial in ASPIRATED:
        return kept, ASPIRATED[initial]
    if initial == "ㄴ":  # 좋니 jonni, 않는 anneun, 싫니 silli
        return ("ㄹ", "ㄹ") if kept == "ㄹ" else ("ㄴ", "ㄴ")
    if initial == "ㅅ":
        return kept, initial
    return None


def _assimilated(final: str, initial: str) -> tuple[str, str] | None:
    """Nasal and liquid assimilation: 국물 gungmul, 신라 silla, 종로 jongno, 독립 dongnip."""
    sound = FINAL_SOUNDS.get(final, "")
    if initial == "ㄹ":
        if sound in {"ㄴ", "ㄹ"}:
            return "ㄹ", "ㄹ"
        if sound in {"ㅁ", "ㅇ"}:
            return final, "ㄴ"
        if sound in NASAL_OF:
            return NASAL_OF[sound], "ㄴ"
    if initial == "ㄴ" and sound == "ㄹ":
        return "ㄹ", "ㄹ"
    if initial in {"ㄴ", "ㅁ"} and sound in NASAL_OF:
        return NASAL_OF[sound], initial
    return None


def _join(final: str, initial: str, vowel: int) -> tuple[str, str]:
    """The (final, initial) pair as said where two syllables of one word meet."""
    if initial == SILENT:
        return _before_vowel(final, vowel)
    changed = (_after_h(final, initial) if final in H_FINALS else None) or _assimilated(
        final, initial
    )
    if changed is not None:
        return changed
    if initial == "ㅎ" and (final == "ㅈ" or (final in PALATALIZED and vowel == VOWEL_I)):
        return "", "ㅊ"  # 맞히다 machida, 굳히다 guchida
    return final, initial


def _romanize_word(word: str) -> str:
    syllables = [_Syllable.of(char) for char in word]
    for this, following in pairwise(syllables):
        this.final, following.initial = _join(this.final, following.initial, following.vowel)
    out = []
    previous_final = ""
    for syllable in syllables:
        lateral = syllable.initial == "ㄹ" and FINAL_SOUNDS.get(previous_final) == "ㄹ"
        out.append("l" if lateral else INITIAL_LETTERS[syllable.initial])
        out.append(VOWELS[syllable.vowel])
        out.append(FINAL_LETTERS.get(FINAL_SOUNDS.get(syllable.final, ""), ""))
        previous_final = syllable.final
    return "".join(out)


def romanize_hangul(text: str) -> str:
    """Revised Romanization of every run of Hangul syllables in `text`; the rest unchanged."""
    return convert_runs(text, is_syllable, _romanize_word)
