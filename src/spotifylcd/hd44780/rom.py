"""Unicode character → HD44780 ROM byte, from RPLCD's tables for the A00 and A02 ROMs."""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from RPLCD.codecs import hd44780_a00, hd44780_a02

if TYPE_CHECKING:
    from collections.abc import Mapping


class Rom(StrEnum):
    """Which character ROM the module carries (printed on the controller, or test 0x5C)."""

    A00 = "A00"  # English + Japanese: half-width katakana, ¥ at 0x5C, → at 0x7E
    A02 = "A02"  # English + European: Latin-1, Cyrillic, Greek
    ASCII = "ascii"  # unknown module: only what both ROMs agree on


# The byte that shows CGRAM slot n: n itself, except slot 0, sent as its mirror 0x08 (the
# controller answers 0x08-0x0F like 0x00-0x07). ESPHome's LCDDisplay::print ends the string at
# 0x00 and starts a new row at 0x0A, so neither may carry a glyph; 0x01-0x08 are not C
# whitespace either, which no layer between the server and the glass may fold or strip.
CGRAM_CODES: Final = (0x08, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07)
CGRAM_SLOTS: Final = len(CGRAM_CODES)
FIRST_PRINTABLE: Final = 0x20
# 0x5C and 0x7E differ between the ROMs (¥/→ on A00, \/~ on A02): never sent for ASCII.
_AMBIGUOUS: Final = frozenset({0x5C, 0x7E})
# What A00 and the ASCII profile send for the characters they cannot show.
SUBSTITUTES: Final = MappingProxyType({"\\": "/", "~": "-"})


def _printable_table(table: Mapping[str, int]) -> dict[str, int]:
    # RPLCD maps U+0000-U+0007 to CGRAM; we address CGRAM ourselves (CGRAM_CODES).
    return {char: code for char, code in table.items() if code >= FIRST_PRINTABLE}


@cache
def _table(rom: Rom) -> Mapping[str, int]:
    if rom is Rom.A00:
        return MappingProxyType(_printable_table(hd44780_a00.encoding_table))
    if rom is Rom.A02:
        return MappingProxyType(_printable_table(hd44780_a02.encoding_table))
    ascii_only = {chr(code): code for code in range(0x20, 0x7F) if code not in _AMBIGUOUS}
    return MappingProxyType(ascii_only)


class RomEncoder:
    """Encodes single characters for one ROM; None means the ROM has no glyph for it."""

    def __init__(self, rom: Rom) -> None:
        """Use the table of `rom`."""
        self.rom = rom
        self._table = _table(rom)

    def code(self, char: str) -> int | None:
        """The ROM byte showing `char`, or None."""
        return self._table.get(char)

    def can_show(self, char: str) -> bool:
        """Whether the ROM shows `char` natively."""
        return char in self._table

    def characters(self) -> frozenset[str]:
        """Every character this ROM shows natively."""
        return frozenset(self._table)


@cache
def encoder_for(rom: Rom) -> RomEncoder:
    """The (shared, immutable) encoder of `rom`."""
    return RomEncoder(rom)


def cgram_slot(code: int) -> int | None:
    """The CGRAM slot byte `code` shows, or None for a ROM byte."""
    return CGRAM_CODES.index(code) if code in CGRAM_CODES else None
