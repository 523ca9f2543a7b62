"""What the LCD shows, for people: text frames with a glyph legend, or a PNG of the glass."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, BinaryIO, Final

from .hd44780.cgram import PAUSE, PLAY, STALE, Glyph, bar_glyph
from .hd44780.font import GLYPH_HEIGHT, GLYPH_WIDTH, rom_glyph
from .hd44780.rom import Rom, cgram_slot, encoder_for
from .screen import render

if TYPE_CHECKING:
    from pathlib import Path

SLOT_SYMBOLS: Final = "⓪①②③④⑤⑥⑦"
_NAMED_GLYPHS: Final = {
    PLAY: "play",
    PAUSE: "pause",
    STALE: "stale marker",
    **{bar_glyph(level): f"progress bar, {level}/5" for level in range(1, 6)},
}


@dataclass(frozen=True, slots=True)
class Backlight:
    """Colours of a module: background, lit dot, unlit dot."""

    background: tuple[int, int, int]
    dot_on: tuple[int, int, int]
    dot_off: tuple[int, int, int]


BACKLIGHTS: Final = {
    "green": Backlight((120, 160, 20), (20, 40, 10), (105, 145, 15)),
    "blue": Backlight((20, 60, 200), (225, 235, 255), (35, 75, 215)),
}


@cache
def _reverse_table(rom: Rom) -> dict[int, str]:
    table: dict[int, str] = {}
    # Half-width katakana first: it is what the A00 ROM draws at 0xA1-0xDF.
    for char in sorted(encoder_for(rom).characters(), key=lambda c: (not _half_width(c), c)):
        code = encoder_for(rom).code(char)
        if code is not None:
            table.setdefault(code, char)
    # Prefer the plain character where several map to one byte (e.g. "-" over "—").
    for char in map(chr, range(0x20, 0x7F)):
        code = encoder_for(rom).code(char)
        if code is not None:
            table[code] = char
    return table


def _half_width(char: str) -> bool:
    return "\uff61" <= char <= "\uff9f"


def _letter_of(glyph: Glyph) -> str | None:
    for char in sorted(encoder_for(Rom.A02).characters()):
        code = encoder_for(Rom.A02).code(char)
        if code is not None and char.isalpha() and rom_glyph(Rom.A02, code) == glyph:
            return char
    return None


def glyph_legend(payload: dict[str, Any]) -> list[str]:
    """One line per CGRAM slot the payload loads: its symbol, role and bitmap."""
    lines = []
    for slot, text in enumerate(payload["glyphs"]):
        glyph = Glyph.from_hex(text)
        role = _NAMED_GLYPHS.get(glyph) or f"letter {_letter_of(glyph) or '?'}"
        lines.append(f"{SLOT_SYMBOLS[slot]} = CGRAM {slot}: {role} ({text})")
    return lines


def readable_row(row: str, rom: Rom) -> str:
    """A rendered row as Unicode: ROM bytes as the characters they draw, CGRAM as ⓪-⑦."""
    reverse = _reverse_table(rom)
    out = []
    for char in row:
        code = ord(char)
        slot = cgram_slot(code)
        if slot is not None:
            out.append(SLOT_SYMBOLS[slot])
        else:
            out.append(reverse.get(code, "█" if code == 0xFF else "?"))  # noqa: PLR2004
    return "".join(out)


def text_frames(payload: dict[str, Any], times_ms: list[int]) -> str:
    """The screen at each time (ms since fetch and since the item changed), then a legend."""
    rom = Rom(payload["rom"])
    cols = int(payload["cols"])
    blocks = []
    for time_ms in times_ms:
        rows = render(payload, time_ms, time_ms)
        border = "+" + "-" * cols + "+"
        body = [f"|{readable_row(row, rom)}|" for row in rows]
        blocks.append("\n".join([f"t={time_ms / 1000:.1f}s", border, *body, border]))
    legend = glyph_legend(payload)
    return "\n\n".join([*blocks, "\n".join(legend)] if legend else blocks)


DOT: Final = 4
DOT_GAP: Final = 1
CELL_GAP: Final = 4
MARGIN: Final = 24


def render_png(
    payload: dict[str, Any], out: Path | BinaryIO, *, at_ms: int = 0, backlight: str = "green"
) -> None:
    """Draw the LCD at `at_ms` as a PNG: every cell's 5x8 dots, ROM or CGRAM glyph."""
    rom = Rom(payload["rom"])
    colours = BACKLIGHTS[backlight]
    custom = [Glyph.from_hex(text) for text in payload["glyphs"]]
    rows = render(payload, at_ms, at_ms)
    pitch = DOT + DOT_GAP
    cell_w, cell_h = GLYPH_WIDTH * pitch - DOT_GAP, GLYPH_HEIGHT * pitch - DOT_GAP
    cols = int(payload["cols"])
    width = 2 * MARGIN + cols * cell_w + (cols - 1) * CELL_GAP
    height = 2 * MARGIN + len(rows) * cell_h + (len(rows) - 1) * CELL_GAP
    # PIL only when a picture is drawn: the command line and a server without previews skip it.
    from PIL import Image, ImageDraw  # noqa: PLC0415

    image = Image.new("RGB", (width, height), colours.background)
    draw = ImageDraw.Draw(image)
    for row_index, row in enumerate(rows):
        for col_index, char in enumerate(row):
            code = ord(char)
            slot = cgram_slot(code)
            glyph = (
                custom[slot] if slot is not None and slot < len(custom) else rom_glyph(rom, code)
            )
            left = MARGIN + col_index * (cell_w + CELL_GAP)
            top = MARGIN + row_index * (cell_h + CELL_GAP)
            for y in range(GLYPH_HEIGHT):
                for x in range(GLYPH_WIDTH):
                    colour = colours.dot_on if glyph.lit(x, y) else colours.dot_off
                    dot_left, dot_top = left + x * pitch, top + y * pitch
                    draw.rectangle(
                        (dot_left, dot_top, dot_left + DOT - 1, dot_top + DOT - 1), fill=colour
                    )
    image.save(out, format="PNG")
