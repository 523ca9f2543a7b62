"""What a display can be told about an account at one moment, as the poller last saw it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .playback import Playback


class AccountStatus(StrEnum):
    """Health of the account's link to Spotify."""

    STARTING = "starting"
    OK = "ok"
    STALE = "stale"
    RATE_LIMITED = "rate_limited"
    FORBIDDEN = "forbidden"
    NEEDS_RELINK = "needs_relink"


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The poller's cache: last good playback plus why it may be out of date."""

    status: AccountStatus
    playback: Playback | None = None
    error: str | None = None
    next_poll_at: float | None = None

    @property
    def stale(self) -> bool:
        """The playback is the last known one, kept while Spotify is in trouble."""
        return self.status in (AccountStatus.STALE, AccountStatus.RATE_LIMITED)
