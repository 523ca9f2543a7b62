"""HD44780 character ROMs, their glyphs, and the 8 user-defined (CGRAM) characters."""

from .cgram import Glyph, bar_glyph
from .rom import Rom, RomEncoder, encoder_for

__all__ = ["Glyph", "Rom", "RomEncoder", "bar_glyph", "encoder_for"]
