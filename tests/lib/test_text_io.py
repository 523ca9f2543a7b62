"""After load_tables(), no title in any script reads a file: nothing blocks the event loop."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from spotifylcd.hd44780.rom import Rom
from spotifylcd.text import TextSettings, load_tables, to_ascii, track_text

# One real track per script the text engine reads with a dictionary or table of its own.
TRACKS = [
    ("打上花火", ("米津玄師",), "", ("j-pop",)),  # kanji read as Japanese (pykakasi)
    ("夜に駆ける", ("ヨルシカ",), "ｶﾞｯﾂ", ()),  # kana, half-width kana
    ("晴天", ("周杰倫",), "", ("mandopop",)),  # Han read as Chinese (pypinyin)
    ("좋니", ("윤종신",), "", ()),  # Hangul
    ("ขอใจเธอแลกเบอร์โทร", ("หญิงลี ศรีจุมพล",), "", ()),  # Thai (PyThaiNLP's word list)
    ("तुम ही हो", ("अरिजीत सिंह",), "", ()),  # Devanagari
    ("Обійми", ("Океан Ельзи",), "", ()),  # Ukrainian (translitua)
    ("Группа крови", ("Кино",), "", ()),  # Russian
    ("Συννεφιασμένη Κυριακή", ("Βασίλης Τσιτσάνης",), "", ()),  # Greek
    ("Ya Lili", ("بلطي",), "", ()),  # Arabic (anyascii's block tables)
    ("Nơi này có anh", ("Sơn Tùng M-TP",), "", ()),  # Vietnamese
    ("𗀀𗀁 Tangut", ("ꦗꦮ",), "", ()),  # rare blocks: anyascii reads one file per block
]

_opened: list[str] | None = None


def _audit(event: str, args: tuple[object, ...]) -> None:
    if _opened is not None and event == "open":
        _opened.append(str(args[0]))


sys.addaudithook(_audit)  # hooks cannot be removed: this one records only inside files_opened()


@contextmanager
def files_opened() -> Iterator[list[str]]:
    """Every file opened (by open(), io.open, os.open or an import) inside the block."""
    global _opened  # noqa: PLW0603 - the audit hook is process-wide
    _opened = []
    try:
        yield _opened
    finally:
        _opened = None


def test_the_audit_sees_a_file_read() -> None:
    with files_opened() as opened:
        open(__file__, encoding="utf-8").close()  # noqa: PTH123 - the event under test
    assert opened == [__file__]


@pytest.mark.parametrize(("title", "artists", "album", "genres"), TRACKS)
def test_no_title_reads_a_file_after_load_tables(
    title: str, artists: tuple[str, ...], album: str, genres: tuple[str, ...]
) -> None:
    load_tables()
    track_text.cache_clear()
    to_ascii.cache_clear()
    with files_opened() as opened:
        for rom in (None, *Rom):
            track_text(title, artists, album, TextSettings(), rom, genres=genres)
        to_ascii(title)
    assert opened == []
