"""What one display wants: its ROM, its size, and the account's text choices."""

from __future__ import annotations

from dataclasses import dataclass, field

from .hd44780.rom import Rom
from .screen import SIZES, ScreenSize
from .text import TextSettings

# What a display's `/get` names of its own, ROM and size; None takes the account's.
type DisplayKind = tuple[Rom | None, str | None]


@dataclass(frozen=True, slots=True)
class DisplaySettings:
    """Per display (ROM, size) and per account (text) settings for `/get` v2 and previews."""

    rom: Rom = Rom.A00
    size: ScreenSize = SIZES["16x2"]
    text: TextSettings = field(default_factory=TextSettings)


def parse_override(line: str) -> tuple[str, str]:
    """`SOURCE=SHOWN`: show the exact title, artist or album SOURCE as SHOWN (empty: remove).

    Raises `ValueError` when there is no `=` or no SOURCE.
    """
    source, separator, shown = line.partition("=")
    if not separator or not source.strip():
        msg = f"an override is SOURCE=SHOWN, not {line!r}"
        raise ValueError(msg)
    return source.strip(), shown.strip()


def overrides_from_lines(text: str) -> dict[str, str]:
    """Overrides written one `SOURCE=SHOWN` per line (blank lines ignored); raises `ValueError`.

    Here SHOWN may not be empty: a line is removed by deleting it.
    """
    overrides = dict(parse_override(line) for line in text.splitlines() if line.strip())
    if empty := [source for source, shown in overrides.items() if not shown]:
        msg = f"nothing to show for {empty[0]!r}"
        raise ValueError(msg)
    return overrides
