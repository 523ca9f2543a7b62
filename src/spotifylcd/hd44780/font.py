"""The 5x8 glyphs the A00 and A02 ROMs draw, from luma.lcd's copy of the datasheet tables."""

from __future__ import annotations

from functools import cache
from typing import Final

from luma.lcd.const import hd44780 as luma_hd44780
from PIL import Image

from .cgram import Glyph
from .rom import Rom

GLYPH_WIDTH: Final = 5
GLYPH_HEIGHT: Final = 8
_FONT_INDEX: Final = {Rom.A00: 0, Rom.A02: 1, Rom.ASCII: 0}


@cache
def _sprite_table(rom: Rom) -> tuple[Image.Image, tuple[int, ...], int, int]:
    data = luma_hd44780.FONTDATA
    index = _FONT_INDEX[rom]
    metrics = data["metrics"][index]
    table = Image.frombytes("1", metrics["table_size"], data["fonts"][index])
    cell_width, cell_height = metrics["cell_size"]
    return table, tuple(metrics["index"]), cell_width, cell_height


@cache
def rom_glyph(rom: Rom, code: int) -> Glyph:
    """The dots ROM `rom` shows for byte `code` (0x10-0xFF); blank below 0x10."""
    table, codes, cell_width, cell_height = _sprite_table(rom)
    if code not in codes:
        return Glyph.blank()
    position = codes.index(code)
    columns = table.width // cell_width
    left, top = (position % columns) * cell_width, (position // columns) * cell_height
    rows = tuple(
        sum(
            (1 << (GLYPH_WIDTH - 1 - x)) if table.getpixel((left + x, top + y)) else 0
            for x in range(GLYPH_WIDTH)
        )
        for y in range(GLYPH_HEIGHT)
    )
    return Glyph(rows)
