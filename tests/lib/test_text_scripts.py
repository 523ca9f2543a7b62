"""Each script read as its readers read it: Korean sound changes, Hindi schwas, Greek digraphs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spotifylcd.text.cyrillic import reads_ukrainian, romanize_cyrillic
from spotifylcd.text.devanagari import romanize_devanagari
from spotifylcd.text.greek import romanize_greek
from spotifylcd.text.japanese import to_romaji
from spotifylcd.text.korean import romanize_hangul
from spotifylcd.text.thai import romanize_thai


@pytest.mark.parametrize(
    ("hangul", "romanized"),
    [
        ("좋니", "jonni"),  # ㅎ + ㄴ → nn
        ("좋은", "joeun"),  # ㅎ before a vowel is silent
        ("좋고", "joko"),  # ㅎ + ㄱ aspirates
        ("많아", "mana"),  # ㄶ: the ㅎ goes, the ㄴ moves on
        ("싫어", "sireo"),
        ("걸음", "georeum"),  # liaison
        ("닭이", "dalgi"),  # a double final splits
        ("국물", "gungmul"),  # k + m → ngm
        ("거짓말", "geojinmal"),  # t + m → nm
        ("밥물", "bammul"),  # p + m → mm
        ("신라", "silla"),  # ㄴ + ㄹ → ll
        ("설날", "seollal"),  # ㄹ + ㄴ → ll
        ("종로", "jongno"),  # ㅇ + ㄹ → ngn
        ("독립", "dongnip"),  # k + ㄹ → ngn
        ("같이", "gachi"),  # palatalization
        ("굳히다", "guchida"),
        ("맞히다", "machida"),
        ("박효신", "bakhyosin"),  # nouns keep the h after ㄱ ㄷ ㅂ
        ("라일락", "raillak"),
        ("사랑을 했다", "sarangeul haetda"),  # no change crosses a space
        ("ㅋㅋ 좋아", "ㅋㅋ joa"),  # lone jamo are left to anyascii
    ],
)
def test_korean_writes_revised_romanization_sound_changes(hangul: str, romanized: str) -> None:
    assert romanize_hangul(hangul) == romanized


@given(st.text(alphabet=st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3), max_size=8))
def test_fuzz_every_hangul_syllable_romanizes_to_ascii_letters(text: str) -> None:
    assert romanize_hangul(text).isascii()
    assert romanize_hangul(text).isalpha() or not text


@pytest.mark.parametrize(
    ("hindi", "romanized"),
    [
        ("तुम ही हो", "Tum Hi Ho"),  # the final inherent vowel is silent
        ("अपना बना ले", "Apna Bana Le"),  # ...and a medial one between VC and CV
        ("बचपन", "Bachpan"),
        ("रहमान", "Rahman"),
        ("लता", "Lata"),  # two syllables: nothing to drop
        ("चन्ना", "Channa"),  # after a cluster the vowel stays
        ("ब्रह्मास्त्र", "Brahmastra"),
        ("मंगेशकर", "Mangeshkar"),
        ("सिंह", "Singh"),
        ("अंबर", "Ambar"),  # the nasal is an m before a labial
        ("छैयाँ", "Chhaiyan"),
        ("ज़िंदगी", "Zindagi"),
        ("भेड़िया", "Bhediya"),
        ("२०२४।", "2024."),
    ],
)
def test_hindi_drops_the_schwas_hindi_does_not_say(hindi: str, romanized: str) -> None:
    assert romanize_devanagari(hindi) == romanized


@pytest.mark.parametrize(
    ("greek", "romanized"),
    [
        ("Τα παιδιά του Πειραιά", "Ta paidia tou Peiraia"),  # ou, not "oy"
        ("Αύγουστος", "Avgoustos"),  # av before a voiced consonant
        ("Εύκολα", "Efkola"),  # ef before a voiceless one
        ("Μπουζούκι", "Bouzouki"),  # b at the start
        ("Ζορμπάς", "Zormpas"),  # ...and inside
        ("Αγγελική", "Angeliki"),
        ("Φραγκοσυριανή", "Fragkosyriani"),
        ("Λαϊκά", "Laika"),
        ("ΣΥΝΝΕΦΙΑΣΜΕΝΗ", "SYNNEFIASMENI"),
    ],
)
def test_greek_follows_elot_743(greek: str, romanized: str) -> None:
    assert romanize_greek(greek) == romanized


@pytest.mark.parametrize(
    ("text", "country", "genres", "ukrainian"),
    [
        ("Обійми Океан Ельзи", "", (), True),  # a Ukrainian-only letter
        ("Выхода нет Сплин", "UA", ("ukrainian pop",), False),  # a Russian-only letter
        ("Плакала KAZKA", "", ("ukrainian pop",), True),  # no telling letter: the genres
        ("Плакала KAZKA", "UA", (), True),  # ...or the country
        ("Плакала KAZKA", "", (), False),
    ],
)
def test_cyrillic_is_read_as_ukrainian_when_the_track_says_so(
    text: str, country: str, genres: tuple[str, ...], ukrainian: bool
) -> None:
    assert reads_ukrainian(text, country, genres) is ukrainian


def test_ukrainian_and_russian_spell_the_same_letters_differently() -> None:
    assert romanize_cyrillic("Океан Ельзи", ukrainian=True) == "Okean Elzy"
    assert romanize_cyrillic("Океан Ельзи") == "Okean El'zi"


def test_thai_is_cut_into_words_and_written_in_rtgs() -> None:
    assert romanize_thai("ทางของฝุ่น") == "Thang Khong Fun"
    assert romanize_thai("ยินดีที่ไม่รู้จัก ๒๐๒๔") == "Yindi Thi Mai Ruchak 2024"


@pytest.mark.parametrize(
    ("japanese", "romaji"),
    [
        ("井上陽水", "Inoueyosui"),  # o + ue is no long vowel; yousui is
        ("教育", "Kyoiku"),
        ("炎", "Hono"),
        ("川の流れのように", "Kawa no Nagarenoyoni"),  # よう is long
        ("思う", "Omou"),  # a verb's u is no long vowel
        ("上を向いて歩こう", "Ue o Muite Aruko"),  # the volitional う lengthens the o
        ("プラスティック・ラブ", "Purasutikku Rabu"),  # loanword kana, the middle dot
        ("ウィーン", "Win"),
        ("君の名は", "Kimi no Na wa"),  # standing alone, not the suffixes -kun, -mei
        ("田中君", "Tanaka Kun"),
        ("12月の雨", "12 Gatsu no Ame"),
    ],
)
def test_japanese_is_modified_hepburn(japanese: str, romaji: str) -> None:
    assert to_romaji(japanese) == romaji
