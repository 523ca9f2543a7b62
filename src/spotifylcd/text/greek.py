"""Greek → ELOT 743, the Greek standard (and the UN's), digraphs spelled as they sound.

anyascii spells Greek letter by letter; a Greek reader spells the digraphs as they sound.
Accents are dropped; a dialytika keeps two vowels apart.
"""

from __future__ import annotations

import unicodedata
from typing import Final

from .scripts import convert_runs

# ου is ou, not "oy". ευ/αυ/ηυ are ev/av/iv before a vowel or voiced consonant and ef/af/if
# before a voiceless one or at the end; γγ, γκ, γξ, γχ are ng, gk, nx, nch; μπ and ντ are b
# and d at the start of a word, mp and nt inside it. Λαϊκά is laika.
LETTERS: Final = {
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th",
    "ι": "i", "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p",
    "ρ": "r", "σ": "s", "ς": "s", "τ": "t", "υ": "y", "φ": "f", "χ": "ch", "ψ": "ps",
    "ω": "o", "ϊ": "i", "ϋ": "y", "ΐ": "i", "ΰ": "y",
}  # fmt: skip
VOWELS: Final = frozenset("αεηιουωϊϋ")
VOICED: Final = frozenset("βγδζλμνρ")
U_DIPHTHONG_STARTS: Final = {"α": "a", "ε": "e", "η": "i"}
GAMMA_PAIRS: Final = {"γγ": "ng", "γκ": "gk", "γξ": "nx", "γχ": "nch"}
WORD_START_PAIRS: Final = {"μπ": ("b", "mp"), "ντ": ("d", "nt")}
# Tonos, varia, perispomeni, breathings, iota subscript; the dialytika (U+0308) stays.
ACCENTS: Final = frozenset("\u0301\u0300\u0342\u0313\u0314\u0345")


def _without_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in ACCENTS))


def _romanize_word(word: str) -> str:
    lower = _without_accents(word).lower()
    out: list[str] = []
    index = 0
    while index < len(lower):
        pair = lower[index : index + 2]
        if pair[:1] in U_DIPHTHONG_STARTS and pair[1:] == "υ":
            following = lower[index + 2 : index + 3]
            voiced = bool(following) and (following in VOWELS or following in VOICED)
            out.append(U_DIPHTHONG_STARTS[pair[0]] + ("v" if voiced else "f"))
            index += 2
        elif pair == "ου":
            out.append("ou")
            index += 2
        elif pair in GAMMA_PAIRS:
            out.append("g" if pair == "γκ" and index == 0 else GAMMA_PAIRS[pair])
            index += 2
        elif pair in WORD_START_PAIRS:
            out.append(WORD_START_PAIRS[pair][0 if index == 0 else 1])
            index += 2
        else:
            out.append(LETTERS.get(lower[index], lower[index]))
            index += 1
    romanized = "".join(out)
    if len(word) > 1 and word.isupper():
        return romanized.upper()
    return romanized[:1].upper() + romanized[1:] if word[:1].isupper() else romanized


def is_greek(char: str) -> bool:
    """Whether `char` is a Greek letter or mark (basic or extended block)."""
    return "\u0370" <= char <= "\u03ff" or "\u1f00" <= char <= "\u1fff"


def romanize_greek(text: str) -> str:
    """Every Greek word of `text` in ELOT 743; other characters unchanged."""
    return convert_runs(text, is_greek, _romanize_word)
