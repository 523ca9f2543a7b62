"""What a display can be told about an account at one moment, as the poller last saw it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from .playback import PlaybackKind

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
    # When Spotify was last asked (monotonic seconds); None before the first call.
    polled_at: float | None = None
    # Nobody polls while no display asks: what was seen then is forgotten, not served as live.
    asleep: bool = False

    @property
    def stale(self) -> bool:
        """The playback is the last known one, kept while Spotify is in trouble."""
        return self.status in (AccountStatus.STALE, AccountStatus.RATE_LIMITED)


def explain(snapshot: Snapshot, now: float) -> str:
    """The operator's one line on why the account is in its state (status page, admin UI)."""
    wait = "" if snapshot.next_poll_at is None else _next_call(snapshot.next_poll_at - now)
    if snapshot.asleep:
        return (
            "asleep: no display asked for a while, so Spotify is not polled and nothing old "
            f"is served as live; the next display request wakes it{wait}"
        )
    status = snapshot.status
    if status is AccountStatus.STARTING:
        return "waiting for Spotify's first answer"
    if status is AccountStatus.NEEDS_RELINK:
        return f"Spotify refused the refresh token ({snapshot.error}); link the account again"
    if status is AccountStatus.FORBIDDEN:
        return (
            f"Spotify refuses this account ({snapshot.error}); a development-mode app works "
            f"only while its owner has Premium{wait}"
        )
    if status is AccountStatus.RATE_LIMITED:
        return f"Spotify asked us to slow down ({snapshot.error}){wait}"
    if status is AccountStatus.STALE:
        kept = "showing the last track, marked stale" if snapshot.playback else "nothing known yet"
        return f"Spotify cannot be reached ({snapshot.error}); {kept}{wait}"
    return _playing_state(snapshot.playback) + wait


def _playing_state(playback: Playback | None) -> str:
    if playback is None or playback.kind is PlaybackKind.IDLE:
        return "nothing playing"
    return "playing" if playback.is_playing else "paused"


def _next_call(seconds: float) -> str:
    return "" if seconds <= 0 else f"; next Spotify call in {seconds:.0f} s"
