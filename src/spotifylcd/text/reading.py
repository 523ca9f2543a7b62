"""How to read Han characters (漢字 / 汉字) in one track: Japanese or Chinese.

Han-only strings (米津玄師, 紅蓮華) are ambiguous on their own; the decision uses every signal
the track offers, strongest first: the user's setting, kana anywhere in the track, Hangul,
characters only one of the two languages writes, and the account's country.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Final

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
CHINESE_COUNTRIES: Final = frozenset({"CN", "TW", "HK", "MO", "SG"})
# Kokuji and shinjitai forms that Chinese (simplified or traditional) does not write.
JAPANESE_ONLY_HAN: Final = frozenset(
    "働込峠畑辻凪匂枠栃榊笹躾雫"  # kokuji
    "桜駅気広転円図県変売読歩黒対戦悪亜覚挙実帰単栄営労関様鉄経済団楽薬隠歳渋涙弾拝焼獣剣剤"
)
# Simplified forms that Japanese does not write.
SIMPLIFIED_ONLY_HAN: Final = frozenset(
    "们这说为爱时过还间发边车东见长门问风飞马鸟鱼龙亲觉现认让话语谁请议记设许论听读书买卖钱银级红给绿线终经"
    "运乐习杂华丽梦岁欢谢讲汉产从对开关"
)


def decide_han_reading(
    fields: Iterable[str], setting: HanReading = HanReading.AUTO, country: str = ""
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
    characters = set(text)
    if characters & JAPANESE_ONLY_HAN:
        return HanReading.JAPANESE
    if characters & SIMPLIFIED_ONLY_HAN:
        return HanReading.CHINESE
    if country.upper() in JAPANESE_COUNTRIES:
        return HanReading.JAPANESE
    return HanReading.CHINESE
