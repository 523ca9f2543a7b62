"""Spotify "now playing" for HD44780 character LCDs: the library under every part."""

__version__ = "0.2.0"
