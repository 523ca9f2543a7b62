"""What one display wants: its ROM, its size, and the account's text choices."""

from __future__ import annotations

from dataclasses import dataclass, field

from .hd44780.rom import Rom
from .screen import SIZES, ScreenSize
from .text import TextSettings


@dataclass(frozen=True, slots=True)
class DisplaySettings:
    """Per display (ROM, size) and per account (text) settings for `/get` v2 and previews."""

    rom: Rom = Rom.A00
    size: ScreenSize = SIZES["16x2"]
    text: TextSettings = field(default_factory=TextSettings)
