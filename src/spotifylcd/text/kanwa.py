"""pykakasi's kanji dictionary read from disk, a first character at a time, not held in memory.

pykakasi unpickles its whole kanji dictionary (270,000 readings) into ~90 MiB of Python
objects: more than the rest of a server. Its only use of it is `table.get(ord(char))` for the
first character of the text left to read, so a copy keyed by that character in SQLite serves
it with a few hundred entries in memory. The copy is made once per pykakasi version, in a
child process (whose memory goes when it ends), under the user's cache directory; where that
cannot be written, pykakasi keeps its own in-memory dictionary.
"""

from __future__ import annotations

import logging
import os
import pickle
import sqlite3
import subprocess
import sys
import threading
from collections import OrderedDict
from importlib import metadata
from pathlib import Path
from typing import Any, Final

_LOGGER = logging.getLogger(__name__)
# Characters' tables kept in memory: a title has a few dozen; many accounts, a few hundred.
CACHED_CHARACTERS: Final = 4096
# The pickle pykakasi 2.x ships: {ord(first character): {word: [(reading, context), ...]}}.
SOURCE_NAME: Final = "kanwadict4.db"


def cache_path() -> Path:
    """Where the on-disk copy lives: `$XDG_CACHE_HOME/spotify-lcd`, else `~/.cache/spotify-lcd`."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    version = metadata.version("pykakasi")
    return Path(base) / "spotify-lcd" / f"pykakasi-{version}-kanwa.sqlite3"


class KanwaOnDisk:
    """The mapping pykakasi's `Kanwa` reads (`get(ord(char))`), from the SQLite copy."""

    def __init__(self, path: Path) -> None:
        """Read from `path`; any thread may ask."""
        self._connection = sqlite3.connect(
            f"file:{path}?mode=ro", uri=True, check_same_thread=False
        )
        self._lock = threading.Lock()
        self._tables: OrderedDict[int, dict[str, Any] | None] = OrderedDict()

    def get(self, key: int, default: None = None) -> dict[str, Any] | None:
        """The words starting with character `key`, and their readings."""
        with self._lock:
            if key in self._tables:
                self._tables.move_to_end(key)
                return self._tables[key]
            row = self._connection.execute(
                "SELECT words FROM kanwa WHERE first = ?", (key,)
            ).fetchone()
            # Our own file, written from pykakasi's own pickle by `build`.
            table = pickle.loads(row[0]) if row else default  # noqa: S301
            self._tables[key] = table
            if len(self._tables) > CACHED_CHARACTERS:
                self._tables.popitem(last=False)
            return table


def build(source: Path, target: Path) -> None:
    """Write the SQLite copy of pykakasi's pickled dictionary `source` to `target`, atomically."""
    with source.open("rb") as file:
        # pykakasi's own data file, installed with it.
        table: dict[int, dict[str, Any]] = pickle.load(file)  # noqa: S301
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.tmp")
    partial.unlink(missing_ok=True)
    with sqlite3.connect(partial) as connection:
        connection.execute("CREATE TABLE kanwa (first INTEGER PRIMARY KEY, words BLOB NOT NULL)")
        connection.executemany(
            "INSERT INTO kanwa VALUES (?, ?)",
            ((first, pickle.dumps(words)) for first, words in table.items()),
        )
    connection.close()
    partial.replace(target)


def install() -> None:
    """Make pykakasi read its kanji dictionary from the on-disk copy (blocking: off the loop).

    Call before pykakasi's first conversion; without a usable copy pykakasi is left as it is.
    """
    from pykakasi import kanji  # noqa: PLC0415 - imported with the first Japanese title

    state = getattr(kanji.Kanwa, "_shared_state", None)
    if not isinstance(state, dict) or state.get("_jisyo_table") is not None:
        return  # another pykakasi layout, or its dictionary is already in memory
    target = cache_path()
    try:
        if not target.exists():
            source = Path(kanji.__file__).parent / "data" / SOURCE_NAME
            # In a child process: unpickling takes ~120 MiB that this process would keep.
            subprocess.run(  # noqa: S603 - this module, with paths of our own making
                [sys.executable, "-m", "spotifylcd.text.kanwa", str(source), str(target)],
                check=True,
                capture_output=True,
            )
        state["_jisyo_table"] = KanwaOnDisk(target)
    except (OSError, sqlite3.Error, subprocess.CalledProcessError) as err:
        _LOGGER.debug("pykakasi keeps its dictionary in memory: %s", err)


if __name__ == "__main__":
    build(Path(sys.argv[1]), Path(sys.argv[2]))
