"""Spotify artist genres that say whose Han characters a track writes: Japan's or China's.

Spotify names genres in lower case, by scene ("j-pop", "japanese indie", "mandopop",
"chinese r&b", "taiwan indie", "cantopop"). A place in the name decides ("korean city pop" is
no Japanese genre); otherwise a style only one of the two scenes has ("anime", "city pop",
"enka"). Korean genres are no vote: Han-only text by a K-pop act is Japanese or Chinese.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Iterable

_JAPANESE_PLACES: Final = re.compile(r"^j-|\b(japan|japanese|tokyo|osaka|okinawan?|kansai)\b")
_CHINESE_PLACES: Final = re.compile(
    r"^c-|\b(chinese|china|taiwan|taiwanese|hong kong|hk|macau|mainland|canto\w*|mando\w*)\b"
)
_OTHER_PLACES: Final = re.compile(r"^k-|\b(korean|korea|thai|indonesian|filipino|vietnamese)\b")
_JAPANESE_STYLES: Final = re.compile(
    r"\b(anime|anisong|vocaloid|city pop|kayokyoku|enka|seiyu|shibuya-kei|visual kei|"
    r"otacore|jpop|jrock)\b"
)
_CHINESE_STYLES: Final = re.compile(r"\b(gufeng|zhongguo feng|xinyao|hokkien)\b")


def genre_votes(genres: Iterable[str]) -> tuple[int, int]:
    """How many of `genres` are Japanese scenes, and how many Chinese."""
    japanese = chinese = 0
    for genre in genres:
        name = genre.strip().lower()
        if _JAPANESE_PLACES.search(name):
            japanese += 1
        elif _CHINESE_PLACES.search(name):
            chinese += 1
        elif _OTHER_PLACES.search(name):
            continue
        elif _JAPANESE_STYLES.search(name):
            japanese += 1
        elif _CHINESE_STYLES.search(name):
            chinese += 1
    return japanese, chinese
