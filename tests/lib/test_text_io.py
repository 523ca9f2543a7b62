"""After load_tables_for(its strings), a title in any script reads no file: the loop never blocks.

Each track is checked in a fresh interpreter (this file run as a script), so a table another
track loaded first cannot hide one that load_tables_for forgot.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from spotifylcd.hd44780.rom import Rom
from spotifylcd.text import (
    HanReading,
    JapaneseMode,
    TextSettings,
    decide_han_reading,
    load_tables_for,
    to_ascii,
    track_text,
)

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


@contextmanager
def files_opened() -> Iterator[list[str]]:
    """Every file opened (by open(), io.open, os.open or an import) inside the block."""
    global _opened  # noqa: PLW0603 - the audit hook is process-wide
    _opened = []
    try:
        yield _opened
    finally:
        _opened = None


def files_opened_rendering(index: int) -> list[str]:
    """In this process: load the tables for track `index`, then render it every way."""
    title, artists, album, genres = TRACKS[index]
    fields = (title, *artists, album)
    load_tables_for(fields, genres)
    # Han that reads as Japanese anyway needs no pypinyin: only an account set to read it as
    # Chinese loads pypinyin, on its first such title.
    japanese_anyway = decide_han_reading(fields, genres=genres) is HanReading.JAPANESE
    readings = [r for r in HanReading if not (japanese_anyway and r is HanReading.CHINESE)]
    with files_opened() as opened:
        for rom in (None, *Rom):
            for reading in readings:
                for japanese in JapaneseMode:
                    settings = TextSettings(han_reading=reading, japanese=japanese)
                    track_text(title, artists, album, settings, rom, genres=genres)
        if not japanese_anyway:
            to_ascii(title)  # Han read as Chinese
    return opened


def _in_fresh_interpreter(*args: str) -> str:
    """What a new Python process prints, run with `args`."""
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_the_audit_sees_a_file_read() -> None:
    sys.addaudithook(_audit)
    with files_opened() as opened:
        open(__file__, encoding="utf-8").close()  # noqa: PTH123 - the event under test
    assert opened == [__file__]


@pytest.mark.parametrize("index", range(len(TRACKS)), ids=[track[0] for track in TRACKS])
def test_no_title_reads_a_file_after_loading_its_tables(index: int) -> None:
    assert json.loads(_in_fresh_interpreter(__file__, str(index))) == []


def test_a_latin_title_loads_no_dictionary() -> None:
    """A server whose listeners play only Latin titles never pays for Asian dictionaries."""
    code = (
        "import sys; from spotifylcd.text import load_tables_for, TextSettings, track_text; "
        "load_tables_for(['Paparazzi', 'Lady Gaga', 'Café']); "
        "track_text('Paparazzi', ('Lady Gaga',), 'Café', TextSettings(), None); "
        "print(sorted(m for m in ('pykakasi', 'pypinyin', 'pythainlp') if m in sys.modules))"
    )
    assert _in_fresh_interpreter("-c", code) == "[]"


def test_a_dictionary_loads_without_the_cyclic_collector_and_stays_out_of_it() -> None:
    """A collection during a load, or later over what it loaded, would stall the event loop."""
    code = (
        "import gc; from spotifylcd.text import load_tables_for\n"
        "passes = []; gc.callbacks.append(lambda phase, info: passes.append(phase))\n"
        "frozen = gc.get_freeze_count()\n"
        "load_tables_for(['月亮代表我的心', '鄧麗君'])\n"
        "print(len(passes), gc.get_freeze_count() - frozen, gc.isenabled())"
    )
    passes, frozen, enabled = _in_fresh_interpreter("-c", code).split()
    assert passes == "0"
    assert int(frozen) > 100_000
    assert enabled == "True"


if __name__ == "__main__":
    sys.addaudithook(_audit)
    print(json.dumps(files_opened_rendering(int(sys.argv[1]))))  # noqa: T201 - to the test
