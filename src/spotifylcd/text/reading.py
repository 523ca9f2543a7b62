"""How to read Han characters (漢字 / 汉字) in one track: Japanese or Chinese.

Han-only strings (米津玄師, 紅蓮華) are ambiguous on their own; the decision reads every field
of the track together (title, artists and album share one screen and one reading) and uses
every signal it offers, strongest first: the user's setting, kana anywhere in the track, Hangul,
characters only one of the two languages writes, the artists' Spotify genres, and the account's
country (which Spotify no longer tells development-mode apps).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Final

from .genres import genre_votes
from .han_forms import count_forms
from .scripts import Script, scripts_in

if TYPE_CHECKING:
    from collections.abc import Iterable


class HanReading(StrEnum):
    """The per-account setting, and the decision for one track."""

    AUTO = "auto"
    JAPANESE = "japanese"
    CHINESE = "chinese"
    KOREAN = "korean"


JAPANESE_COUNTRIES: Final = frozenset({"JP"})


def _majority(japanese: int, chinese: int) -> HanReading | None:
    if japanese > chinese:
        return HanReading.JAPANESE
    if chinese > japanese:
        return HanReading.CHINESE
    return None


def decide_han_reading(
    fields: Iterable[str],
    setting: HanReading = HanReading.AUTO,
    country: str = "",
    genres: Iterable[str] = (),
) -> HanReading:
    """The reading for Han characters anywhere in these fields (title, artists, album)."""
    if setting is not HanReading.AUTO:
        return setting
    text = "".join(fields)
    scripts = scripts_in(text)
    if Script.KANA in scripts:
        return HanReading.JAPANESE
    if Script.HANGUL in scripts:
        return HanReading.KOREAN
    decided = _majority(*count_forms(text)) or _majority(*genre_votes(genres))
    if decided is not None:
        return decided
    if country.upper() in JAPANESE_COUNTRIES:
        return HanReading.JAPANESE
    return HanReading.CHINESE
