"""A linked Spotify account as stored: credentials, tokens and how displays may reach it."""

from __future__ import annotations

import dataclasses
import secrets
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Self

from .hd44780.rom import Rom
from .scopes import CONTROL_SCOPE
from .screen import SIZES
from .settings import DisplaySettings
from .text import HanReading, JapaneseMode, TextSettings

if TYPE_CHECKING:
    from .spotify import TokenGrant

DEVICE_KEY_BYTES = 16


def generate_device_key() -> str:
    """A fresh random device key, short enough to type into an ESPHome secrets file."""
    return secrets.token_urlsafe(DEVICE_KEY_BYTES)


@dataclass(frozen=True, slots=True)
class Account:
    """One display account; secrets are kept out of `repr` so they never reach a log."""

    uid: str
    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    access_token: str = field(default="", repr=False)
    refresh_token: str = field(default="", repr=False)
    expires_at: float = 0.0
    device_key: str | None = field(default=None, repr=False)
    keyless: bool = False
    needs_relink: bool = False
    spotify_user_id: str = ""
    country: str = ""
    linked_at: float | None = None
    rom: str = Rom.A00.value
    size: str = "16x2"
    japanese: str = JapaneseMode.ROMAJI.value
    han_reading: str = HanReading.AUTO.value
    overrides: dict[str, str] = field(default_factory=dict)
    # What the user granted at linking (space-separated); "" for links older than controls.
    scopes: str = ""
    # Keyless (legacy) displays may also send /control; off unless the owner allows it.
    keyless_control: bool = False
    version: int = 0

    def with_grant(self, grant: TokenGrant) -> Self:
        """This account holding freshly refreshed tokens."""
        return dataclasses.replace(
            self,
            access_token=grant.access_token,
            refresh_token=grant.refresh_token,
            expires_at=grant.expires_at,
            scopes=grant.scope or self.scopes,
            needs_relink=False,
        )

    @property
    def can_control(self) -> bool:
        """Whether the link lets displays change playback (linked with the control scope)."""
        return CONTROL_SCOPE in self.scopes.split()

    def text_settings(self) -> TextSettings:
        """The account's transliteration choices; unknown stored values fall back to defaults."""
        return TextSettings(
            han_reading=_member(HanReading, self.han_reading, HanReading.AUTO),
            japanese=_member(JapaneseMode, self.japanese, JapaneseMode.ROMAJI),
            country=self.country,
            overrides=tuple(sorted(self.overrides.items())),
        )

    def display_settings(self, rom: Rom | None = None, size: str | None = None) -> DisplaySettings:
        """What a display of this account shows; a display may name its own ROM and size."""
        return DisplaySettings(
            rom=rom or _member(Rom, self.rom, Rom.A00),
            size=SIZES.get(size or self.size) or SIZES["16x2"],
            text=self.text_settings(),
        )

    def with_changes(self, **changes: object) -> Self:
        """This account with some fields replaced (the version is left to the store)."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


def _member[E: StrEnum](enum: type[E], value: str, default: E) -> E:
    try:
        return enum(value)
    except ValueError:
        return default
