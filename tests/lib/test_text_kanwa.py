"""pykakasi's kanji dictionary from disk: the same readings, a fraction of the memory."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pykakasi

from spotifylcd.text.kanwa import SOURCE_NAME, KanwaOnDisk, build

SOURCE = Path(pykakasi.__file__).parent / "data" / SOURCE_NAME
# A fresh interpreter: the RSS pykakasi's dictionaries add, and a Japanese reading.
MEASURE = (
    "from pathlib import Path\n"
    "def rss(): return int(Path('/proc/self/status').read_text().split('VmRSS:')[1].split()[0])\n"
    "from spotifylcd.text import HanReading, load_tables_for, to_ascii\n"
    "before = rss()\n"
    "load_tables_for(['夜に駆ける', '米津玄師'])\n"
    "print(rss() - before, to_ascii('夜に駆ける', HanReading.JAPANESE))\n"
)


def measure(cache: Path) -> tuple[int, str]:
    output = subprocess.run(
        [sys.executable, "-c", MEASURE],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "XDG_CACHE_HOME": str(cache)},
    ).stdout.split(maxsplit=1)
    return int(output[0]), output[1].strip()


def test_the_copy_reads_as_pykakasi_s_own_dictionary(tmp_path: Path) -> None:
    build(SOURCE, tmp_path / "kanwa.sqlite3")
    copy = KanwaOnDisk(tmp_path / "kanwa.sqlite3")
    with SOURCE.open("rb") as file:
        own = pickle.load(file)  # noqa: S301 - pykakasi's own data file
    assert all(copy.get(first) == words for first, words in own.items())
    assert copy.get(ord("a")) is None


def test_japanese_costs_a_fraction_of_the_dictionary(tmp_path: Path) -> None:
    on_disk_kib, reading = measure(tmp_path)
    assert reading == "Yoru ni Kakeru"
    assert next((tmp_path / "spotify-lcd").iterdir()).name.endswith("-kanwa.sqlite3")
    # A cache that cannot be written: pykakasi unpickles its dictionary as it always did.
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("")
    in_memory_kib, reading = measure(not_a_directory)
    assert reading == "Yoru ni Kakeru"
    # Unpickled, the dictionary alone is ~95 MiB (the rest, pypinyin and code, is the same).
    assert in_memory_kib - on_disk_kib > 80 * 1024
