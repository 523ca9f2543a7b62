"""A linked Spotify account as stored: credentials, tokens and how displays may reach it."""

from __future__ import annotations

import dataclasses
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Self

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
    version: int = 0

    def with_grant(self, grant: TokenGrant) -> Self:
        """This account holding freshly refreshed tokens."""
        return dataclasses.replace(
            self,
            access_token=grant.access_token,
            refresh_token=grant.refresh_token,
            expires_at=grant.expires_at,
            needs_relink=False,
        )

    def with_changes(self, **changes: object) -> Self:
        """This account with some fields replaced (the version is left to the store)."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]
