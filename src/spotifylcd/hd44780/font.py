"""The 5x8 glyphs the A00 and A02 ROMs draw, from luma.lcd's copy of the datasheet tables."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Final

from luma.lcd.const import hd44780 as luma_hd44780

from .cgram import Glyph
from .rom import Rom, encoder_for

if TYPE_CHECKING:
    from PIL import Image

GLYPH_WIDTH: Final = 5
GLYPH_HEIGHT: Final = 8
_FONT_INDEX: Final = {Rom.A00: 0, Rom.A02: 1, Rom.ASCII: 0}
# luma.lcd's table of a Greek HD44780 clone (AiP31066): the shapes of the Greek capitals that
# A02 lacks (Δ Θ Λ Ξ Π Ψ), drawn into a custom glyph instead.
_GREEK_FONT_INDEX: Final = 3
# That table maps the theta symbol, not the capital letter.
_GREEK_ALIASES: Final = {"Θ": "ϴ"}


@cache
def _sprite_table(index: int) -> tuple[Image.Image, tuple[int, ...], int, int]:
    # PIL is imported with the first glyph drawn, not by every importer of the ROM tables.
    from PIL import Image  # noqa: PLC0415

    data = luma_hd44780.FONTDATA
    metrics = data["metrics"][index]
    table = Image.frombytes("1", metrics["table_size"], data["fonts"][index])
    cell_width, cell_height = metrics["cell_size"]
    return table, tuple(metrics["index"]), cell_width, cell_height


def _glyph(index: int, code: int) -> Glyph:
    table, codes, cell_width, cell_height = _sprite_table(index)
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


@cache
def rom_glyph(rom: Rom, code: int) -> Glyph:
    """The dots ROM `rom` shows for byte `code` (0x10-0xFF); blank below 0x10."""
    return _glyph(_FONT_INDEX[rom], code)


@cache
def letter_glyph(char: str) -> Glyph | None:
    """Dots to load into CGRAM for a letter: A02's own, else a Greek capital's; None if neither."""
    code = encoder_for(Rom.A02).code(char)
    if code is not None:
        return rom_glyph(Rom.A02, code)
    mapping = luma_hd44780.FONTDATA["mappings"][_GREEK_FONT_INDEX]
    greek = mapping.get(ord(_GREEK_ALIASES.get(char, char)))
    return _glyph(_GREEK_FONT_INDEX, greek) if greek is not None else None
