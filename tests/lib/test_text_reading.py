"""Han-only text read as Japanese or Chinese from every signal a track gives, genres included."""

from __future__ import annotations

import pytest

from spotifylcd.text import HanReading, TextSettings, track_text
from spotifylcd.text.genres import genre_votes
from spotifylcd.text.han_forms import count_forms, han_forms
from spotifylcd.text.reading import decide_han_reading


@pytest.mark.parametrize(
    ("genres", "votes"),
    [
        (("j-pop", "anime", "japanese indie", "city pop", "j-rock"), (5, 0)),
        (("mandopop", "c-pop", "chinese r&b", "cantopop", "taiwan indie"), (0, 5)),
        (("vocaloid", "kayokyoku", "enka", "visual kei", "shibuya-kei"), (5, 0)),
        (("hong kong indie", "classic mandopop", "singaporean mandopop"), (0, 3)),
        # A place in the name decides: these are no Japanese genres.
        (("korean city pop", "k-pop", "indonesian city pop"), (0, 0)),
        (("pop", "rock", "edm", "jazz", "j-"), (1, 0)),
        (("J-Pop ", "MANDOPOP"), (1, 1)),  # case and stray spaces do not matter
        ((), (0, 0)),
    ],
)
def test_genres_vote_for_the_scene_they_name(
    genres: tuple[str, ...], votes: tuple[int, int]
) -> None:
    assert genre_votes(genres) == votes


def test_forms_only_one_language_writes_come_from_the_character_sets() -> None:
    japanese_only, chinese_only = han_forms()
    assert (
        set("働込峠畑辻凪匂枠栃榊笹躾雫桜駅気広図県売読歩黒対戦様鉄団楽薬涙弾剣々〆")
        <= japanese_only
    )
    assert set("们这说为爱时过还间发车东见长门问风飞马鸟鱼龙亲觉說") <= chinese_only
    # Forms both languages write are evidence of neither.
    assert not set("晴天花火夜雨東京月亮后") & (japanese_only | chinese_only)
    assert not japanese_only & chinese_only
    assert count_forms("桜の樹の下で 说好不哭") == (1, 1)


@pytest.mark.parametrize(
    ("fields", "setting", "country", "genres", "reading"),
    [
        # The user's setting wins over everything.
        (("打上花火",), HanReading.CHINESE, "JP", ("j-pop",), HanReading.CHINESE),
        # Kana anywhere in the track, then Hangul.
        (("夜行", "ヨルシカ"), HanReading.AUTO, "TW", ("mandopop",), HanReading.JAPANESE),
        (("사랑", "漢字"), HanReading.AUTO, "JP", ("j-pop",), HanReading.KOREAN),
        # Forms only one language writes, before genres.
        (("千本桜",), HanReading.AUTO, "", ("mandopop",), HanReading.JAPANESE),
        (("说好不哭",), HanReading.AUTO, "JP", ("j-pop",), HanReading.CHINESE),
        # Genres, before the country.
        (("打上花火", "米津玄師"), HanReading.AUTO, "", ("j-pop",), HanReading.JAPANESE),
        (("紅蓮華",), HanReading.AUTO, "TW", ("anime", "j-rock"), HanReading.JAPANESE),
        (("晴天", "周杰倫"), HanReading.AUTO, "JP", ("mandopop", "c-pop"), HanReading.CHINESE),
        # A tie or no genre at all: the country, then Chinese.
        (("晴天",), HanReading.AUTO, "JP", ("j-pop", "mandopop"), HanReading.JAPANESE),
        (("晴天",), HanReading.AUTO, "", (), HanReading.CHINESE),
        (("米津玄師",), HanReading.AUTO, "jp", (), HanReading.JAPANESE),
    ],
)
def test_the_strongest_signal_decides(
    fields: tuple[str, ...],
    setting: HanReading,
    country: str,
    genres: tuple[str, ...],
    reading: HanReading,
) -> None:
    assert decide_han_reading(fields, setting, country, genres) is reading


def test_genres_read_a_kanji_only_track_as_japanese_without_a_country() -> None:
    # The demo's own track: read as Mandarin ("Da Shang Hua Huo") before genres were known.
    settings = TextSettings()
    without = track_text("打上花火", ("DAOKO", "米津玄師"), "打上花火", settings, None)
    assert without.title == "Da Shang Hua Huo"
    text = track_text(
        "打上花火", ("DAOKO", "米津玄師"), "打上花火", settings, None, genres=("j-pop",)
    )
    assert (text.title, text.artists) == ("Uchiage Hanabi", ("DAOKO", "Yonetsu Gen Shi"))
    assert track_text("晴天", ("周杰倫",), "", settings, None, genres=("mandopop",)).title == (
        "Qing Tian"
    )
