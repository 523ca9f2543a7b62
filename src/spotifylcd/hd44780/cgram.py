"""User-defined characters: 5x8 bitmaps, the symbols we draw, and their hex wire form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Self

ROWS: Final = 8
FULL_ROW: Final = 0b11111


@dataclass(frozen=True, slots=True)
class Glyph:
    """Eight rows of five dots; bit 4 is the leftmost dot."""

    rows: tuple[int, ...]

    def __post_init__(self) -> None:
        """Reject anything that is not 8 rows of 5 bits."""
        if len(self.rows) != ROWS or any(not 0 <= row <= FULL_ROW for row in self.rows):
            msg = f"a glyph is 8 rows of 0-31, not {self.rows!r}"
            raise ValueError(msg)

    @classmethod
    def blank(cls) -> Self:
        """No dots."""
        return cls((0,) * ROWS)

    @classmethod
    def from_hex(cls, text: str) -> Self:
        """Parse the wire form: 16 hex digits, two per row, top row first."""
        return cls(tuple(bytes.fromhex(text)))

    @classmethod
    def from_art(cls, *lines: str) -> Self:
        """Build from 8 lines of 5 characters, '#' for a lit dot."""
        return cls(tuple(int(line.replace("#", "1").replace(".", "0"), 2) for line in lines))

    def hex(self) -> str:
        """The wire form sent in `/get` v2."""
        return bytes(self.rows).hex()

    def lit(self, x: int, y: int) -> bool:
        """Whether dot (x, y) is on, x from the left, y from the top."""
        return bool(self.rows[y] >> (4 - x) & 1)


def bar_glyph(columns: int) -> Glyph:
    """A progress-bar cell with its `columns` leftmost columns lit (1-5)."""
    row = (FULL_ROW << (5 - columns)) & FULL_ROW
    return Glyph((0, row, row, row, row, row, row, 0))


PLAY: Final = Glyph.from_art(
    ".....",
    "#....",
    "##...",
    "###..",
    "####.",
    "###..",
    "##...",
    "#....",
)
PAUSE: Final = Glyph.from_art(
    ".....",
    "##.##",
    "##.##",
    "##.##",
    "##.##",
    "##.##",
    "##.##",
    ".....",
)
# A small clock: "this is the last known state, not a live one".
STALE: Final = Glyph.from_art(
    ".....",
    ".###.",
    "#.#.#",
    "#.###",
    "#...#",
    ".###.",
    ".....",
    ".....",
)
