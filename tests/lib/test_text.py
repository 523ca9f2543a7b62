"""Transliteration: every script as well as an LCD allows, Japanese read as Japanese."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spotifylcd.hd44780.rom import Rom, encoder_for
from spotifylcd.text import (
    HanReading,
    JapaneseMode,
    TextSettings,
    drawable_letters,
    for_rom,
    normalize,
    to_ascii,
    track_text,
)
from spotifylcd.text.reading import decide_han_reading

JP = TextSettings(country="JP")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Ｆｕｌｌ　Ｗｉｄｔｈ", "Full Width"),
        ("ﬁnally", "finally"),
        ("😀 Song ✨", "Song"),
        ("Song 🎵 -", "Song"),
        ("✨ - Intro", "Intro"),
        ("❤️ Love 👍🏽", "Love"),
        ("-ERROR-", "-ERROR-"),
        ("Tab\tand\nnewline  twice", "Tab and newline twice"),
        ("Live (🔥)", "Live"),
        ("ｶﾞｯﾂ", "ｶﾞｯﾂ"),  # half-width katakana is what A00 shows: kept, not widened
    ],
)
def test_normalize(raw: str, clean: str) -> None:
    assert normalize(raw) == clean


# (title, artists, album, settings) → (title, artists) in ASCII. Real tracks.
JAPANESE = [
    ("夜に駆ける", ("YOASOBI",), "THE BOOK", JP, "Yoru ni Kakeru", ("YOASOBI",)),
    (
        "打上花火",
        ("DAOKO", "米津玄師"),
        "打上花火",
        JP,
        "Uchiage Hanabi",
        ("DAOKO", "Yonetsu Gen Shi"),
    ),
    (
        "残酷な天使のテーゼ",
        ("高橋洋子",),
        "",
        TextSettings(),
        "Zankoku na Tenshi no Teze",
        ("Takahashi Yoko",),
    ),
    ("ドライフラワー", ("優里",), "ドライフラワー", TextSettings(), "Doraifurawa", ("Yuri",)),
    ("マリーゴールド", ("あいみょん",), "", TextSettings(), "Marigorudo", ("Aimyon",)),
    ("千本桜", ("黒うさP",), "", TextSettings(), "Senbonzakura", ("Kurousa P",)),
    ("天体観測", ("BUMP OF CHICKEN",), "jupiter", JP, "Tentaikansoku", ("BUMP OF CHICKEN",)),
    ("うっせぇわ", ("Ado",), "狂言", TextSettings(), "Usseewa", ("Ado",)),
    ("アイドル", ("YOASOBI",), "", TextSettings(), "Aidoru", ("YOASOBI",)),
    # Han-only title: the kana in the artist's name decides.
    ("夜行", ("ヨルシカ",), "盗作", TextSettings(), "Yako", ("Yorushika",)),
    # Han only everywhere: Japanese-only shinjitai (桜) decides.
    ("桜", ("河口恭吾",), "", TextSettings(), "Sakura", ("Kako Kyogo",)),
    # Han only, no other signal: the account's country decides.
    ("紅蓮華", ("LiSA",), "LEO-NiNE", JP, "Guren Hana", ("LiSA",)),
    ("Lemon", ("米津玄師",), "STRAY SHEEP", JP, "Lemon", ("Yonetsu Gen Shi",)),
    # ...and the override table fixes names no dictionary reads right.
    (
        "紅蓮華",
        ("米津玄師",),
        "",
        TextSettings(
            country="JP", overrides=(("紅蓮華", "Gurenge"), ("米津玄師", "Kenshi Yonezu"))
        ),
        "Gurenge",
        ("Kenshi Yonezu",),
    ),
]
CHINESE = [
    (
        "月亮代表我的心",
        ("鄧麗君",),
        "",
        TextSettings(),
        "Yue Liang Dai Biao Wo De Xin",
        ("Deng Li Jun",),
    ),
    ("晴天", ("周杰倫",), "葉惠美", TextSettings(), "Qing Tian", ("Zhou Jie Lun",)),
    ("后来", ("刘若英",), "", TextSettings(), "Hou Lai", ("Liu Ruo Ying",)),
    (
        "小幸运",
        ("田馥甄",),
        "",
        JP,
        "Xiao Xing Yun",
        ("Tian Fu Zhen",),
    ),  # 运 is simplified: beats JP
    ("长大", ("方大同",), "", TextSettings(), "Zhang Da", ("Fang Da Tong",)),
    (
        "紅蓮華",
        ("LiSA",),
        "",
        TextSettings(han_reading=HanReading.CHINESE, country="JP"),
        "Hong Lian Hua",
        ("LiSA",),
    ),
]
KOREAN = [
    ("Dynamite", ("방탄소년단",), "", TextSettings(), "Dynamite", ("Bangtansonyeondan",)),
    ("좋은 날", ("아이유",), "", TextSettings(), "Joeun Nal", ("Aiyu",)),  # ㅎ silent
    ("좋니", ("윤종신",), "", TextSettings(), "Jonni", ("Yunjongsin",)),  # ㅎ+ㄴ → nn
    (
        "봄날",
        ("방탄소년단",),
        "YOU NEVER WALK ALONE",
        TextSettings(),
        "Bomnal",
        ("Bangtansonyeondan",),
    ),
    ("사랑을 했다", ("iKON",), "", TextSettings(), "Sarangeul Haetda", ("iKON",)),
    ("거짓말", ("빅뱅",), "", TextSettings(), "Geojinmal", ("Bikbaeng",)),  # t+m → nm
    ("신라의 달밤", ("현인",), "", TextSettings(), "Sillaui Dalbam", ("Hyeonin",)),
    ("밤편지", ("아이유",), "", TextSettings(), "Bampyeonji", ("Aiyu",)),
]
CYRILLIC = [
    ("Кукла колдуна", ("Король и Шут",), "", TextSettings(), "Kukla kolduna", ("Korol' i Shut",)),
    ("Группа крови", ("Кино",), "", TextSettings(), "Gruppa krovi", ("Kino",)),
    ("Прованс", ("Ёлка",), "", TextSettings(), "Provans", ("Elka",)),
    ("Стыцамен", ("Океан Ельзи",), "", TextSettings(), "Stytsamen", ("Okean El'zi",)),
    # A Ukrainian-only letter: the whole track is read by the Ukrainian national system.
    ("Обійми", ("Океан Ельзи",), "", TextSettings(), "Obiimy", ("Okean Elzy",)),
    ("Дискотека", ("Руки Вверх!",), "", TextSettings(), "Diskoteka", ("Ruki Vverkh!",)),
]
OTHERS = [
    (
        "Συννεφιασμένη Κυριακή",
        ("Βασίλης Τσιτσάνης",),
        "",
        TextSettings(),
        "Synnefiasmeni Kyriaki",
        ("Vasilis Tsitsanis",),
    ),
    ("Nhạc Của Rừng", ("Sơn Tùng M-TP",), "", TextSettings(), "Nhac Cua Rung", ("Son Tung M-TP",)),
    (
        "Je ne regrette rien",
        ("Édith Piaf",),
        "",
        TextSettings(),
        "Je ne regrette rien",
        ("Edith Piaf",),
    ),
    ("Björk — Jóga", ("Björk",), "", TextSettings(), "Bjork - Joga", ("Bjork",)),
    ("Αύγουστος", ("Νίκος Παπάζογλου",), "", TextSettings(), "Avgoustos", ("Nikos Papazoglou",)),
    # Abjads: anyascii's consonant skeletons, still letters, never "?".
    ("בואי", ("עומר אדם",), "", TextSettings(), "vv'y", ("'vmr 'dm",)),
    ("Ya Lili", ("بلطي",), "", TextSettings(), "Ya Lili", ("blty",)),
    # Thai in RTGS, word by word (PyThaiNLP's dictionary cuts the words).
    (
        "ขอใจเธอแลกเบอร์โทร",
        ("Bodyslam",),
        "",
        TextSettings(),
        "Kho Chai Thoe Laek Boe Thon",
        ("Bodyslam",),
    ),
    # Hindi with its silent inherent vowels dropped.
    ("Jai Ho", ("ए. आर. रहमान",), "", TextSettings(), "Jai Ho", ("E. Ar. Rahman",)),
    ("बचपन का प्यार", ("सहदेव दिर्दो",), "", TextSettings(), "Bachpan Ka Pyar", ("Sahdev Dirdo",)),
]


@pytest.mark.parametrize(
    ("title", "artists", "album", "settings", "ascii_title", "ascii_artists"),
    [*JAPANESE, *CHINESE, *KOREAN, *CYRILLIC, *OTHERS],
)
def test_tracks_in_ascii(
    title: str,
    artists: tuple[str, ...],
    album: str,
    settings: TextSettings,
    ascii_title: str,
    ascii_artists: tuple[str, ...],
) -> None:
    text = track_text(title, artists, album, settings, None)
    assert (text.title, text.artists) == (ascii_title, ascii_artists)
    assert all(part.isascii() and part.isprintable() for part in (text.title, *text.artists))


@pytest.mark.parametrize(
    ("fields", "setting", "country", "reading"),
    [
        (("紅蓮華",), HanReading.CHINESE, "JP", HanReading.CHINESE),
        (("紅蓮華", "LiSA", "炎 / 一騎当千"), HanReading.AUTO, "", HanReading.CHINESE),
        (("紅蓮華", "LiSA", "ほむら"), HanReading.AUTO, "US", HanReading.JAPANESE),
        (("米津玄師",), HanReading.AUTO, "JP", HanReading.JAPANESE),
        (("米津玄師",), HanReading.AUTO, "TW", HanReading.CHINESE),
        (("米津玄師",), HanReading.AUTO, "", HanReading.CHINESE),
        (("千本桜",), HanReading.AUTO, "", HanReading.JAPANESE),
        (("说",), HanReading.AUTO, "JP", HanReading.CHINESE),
        (("사랑", "漢字"), HanReading.AUTO, "JP", HanReading.KOREAN),
    ],
)
def test_han_reading_uses_every_signal(
    fields: tuple[str, ...], setting: HanReading, country: str, reading: HanReading
) -> None:
    assert decide_han_reading(fields, setting, country) is reading


def test_each_track_is_transliterated_once() -> None:
    track_text.cache_clear()
    for _ in range(5):
        track_text("夜に駆ける", ("YOASOBI",), "", TextSettings(), Rom.A00)
    info = track_text.cache_info()
    assert (info.misses, info.hits) == (1, 4)


@pytest.mark.parametrize(
    ("text", "rom", "expected"),
    [
        ("ЖЗИЛ", Rom.A02, "ЖЗИЛ"),  # A02 draws these natively
        ("ЖЗИЛ", Rom.A00, "ZhZIL"),  # A00 does not: no half-drawn Cyrillic
        ("Café ~ \\ Bar", Rom.A02, "Café ~ \\ Bar"),
        ("Café ~ \\ Bar", Rom.A00, "Café - / Bar"),  # é left for a CGRAM glyph; never ¥ or →
        ("Café ~ \\ Bar", Rom.ASCII, "Café - / Bar"),
        ("Grüße", Rom.A00, "Grüße"),
        ("Straße Ω", Rom.A00, "Straße Ω"),
        ("夜に駆ける", Rom.A00, "Yoru ni Kakeru"),
    ],
)
def test_for_rom_keeps_what_the_rom_or_cgram_can_show(text: str, rom: Rom, expected: str) -> None:
    assert for_rom(text, rom, HanReading.JAPANESE, JapaneseMode.ROMAJI) == expected


def test_katakana_mode_writes_japanese_natively_on_a00() -> None:
    shown = for_rom("LiSA 紅蓮華", Rom.A00, HanReading.JAPANESE, JapaneseMode.KATAKANA)
    assert shown == "LiSA ｸﾞﾚﾝﾊﾅ"
    # Voiced marks take a cell of their own: 6 cells for 4 kana.
    assert [encoder_for(Rom.A00).code(char) for char in shown[5:]] == [
        0xB8,
        0xDE,
        0xDA,
        0xDD,
        0xCA,
        0xC5,
    ]
    # On A02 katakana cannot be shown: romaji instead.
    assert for_rom("紅蓮華", Rom.A02, HanReading.JAPANESE, JapaneseMode.KATAKANA) == "Guren Hana"


def test_drawable_letters_are_what_a02_has_and_the_rom_lacks() -> None:
    assert {"é", "å"} <= drawable_letters(Rom.A00)
    assert "ä" not in drawable_letters(Rom.A00)  # A00 has ä itself (0xE1)
    assert not {"Ж", "Γ", "δ"} & drawable_letters(Rom.A00)  # no half-drawn Cyrillic or Greek
    assert drawable_letters(Rom.A02) == frozenset("ΔΘΛΞΠΨ")


@given(st.text(max_size=60))
def test_fuzz_ascii_never_crashes_or_invents_question_marks(text: str) -> None:
    shown = to_ascii(text)
    assert shown.isascii()
    assert shown.isprintable()
    assert shown.count("?") <= text.count("?") + text.count("？") + text.count("¿")
    assert shown == shown.strip()
    assert "  " not in shown


@given(st.text(max_size=40), st.sampled_from(list(Rom)), st.sampled_from(list(JapaneseMode)))
def test_fuzz_for_rom_emits_only_showable_characters(
    text: str, rom: Rom, mode: JapaneseMode
) -> None:
    shown = for_rom(text, rom, HanReading.JAPANESE, mode)
    drawable = drawable_letters(rom)
    assert all(encoder_for(rom).can_show(char) or char in drawable for char in shown)
