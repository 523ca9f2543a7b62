"""Unicode clean-up every display path shares: compatibility forms, symbols, spacing."""

from __future__ import annotations

import re
import unicodedata
from typing import Final

# Symbols (emoji, dingbats), modifiers, controls, private use, unassigned: nothing to show.
_DROPPED_CATEGORIES: Final = frozenset({"So", "Sk", "Cc", "Cf", "Co", "Cn", "Cs"})
# Emoji presentation selectors and keycap marks follow the emoji they decorate.
_DROPPED_MARKS: Final = frozenset({"\ufe0e", "\ufe0f", "\u20e3"})
_SPACES: Final = re.compile(r"\s+")
# Separators left dangling at an end once what they separated (an emoji, say) is gone.
# A dash counts only when spaced ("Song -"), so titles like "-ERROR-" keep theirs.
_DANGLING: Final = re.compile(r"^(?:[\s|/·•:,;]|[-–—~](?=\s))+|(?:[\s|/·•:,;]|(?<=\s)[-–—~])+$")
_EMPTY_BRACKETS: Final = re.compile(r"\(\s*\)|\[\s*\]|\{\s*\}")
# Half-width katakana is what the A00 ROM shows; NFKC would widen it, so it is kept apart.
_HALF_WIDTH_KANA: Final = re.compile(r"[\uff61-\uff9f]+")


def normalize(text: str) -> str:
    """NFKC (full-width Latin, ligatures), symbols dropped, spaces and separators tidied."""
    parts = []
    last = 0
    for match in _HALF_WIDTH_KANA.finditer(text):
        parts.append(unicodedata.normalize("NFKC", text[last : match.start()]))
        parts.append(match.group())
        last = match.end()
    parts.append(unicodedata.normalize("NFKC", text[last:]))
    kept = "".join(
        " " if char.isspace() else char
        for char in "".join(parts)
        if char not in _DROPPED_MARKS
        and (char.isspace() or unicodedata.category(char) not in _DROPPED_CATEGORIES)
    )
    return tidy(kept)


def tidy(text: str) -> str:
    """Single spaces, no empty brackets, no separator hanging at either end."""
    text = _EMPTY_BRACKETS.sub(" ", text)
    text = _SPACES.sub(" ", text)
    return _DANGLING.sub("", text)
