"""One polling loop per account, shared by every display that asks (DESIGN section 4)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .exceptions import (
    SpotifyForbiddenError,
    SpotifyLCDError,
    SpotifyRateLimitedError,
    SpotifyReauthRequiredError,
)
from .playback import Playback, PlaybackKind
from .status import AccountStatus, Snapshot

if TYPE_CHECKING:
    from collections.abc import Callable

    from .source import PlaybackSource

_LOGGER = logging.getLogger(__name__)
DEFAULT_PLAYING_INTERVAL = 5.0
DEFAULT_JITTER = 0.1


@dataclass(frozen=True, slots=True)
class PollPolicy:
    """How often to call Spotify; all times in seconds."""

    playing_interval: float = DEFAULT_PLAYING_INTERVAL
    paused_interval: float = 15.0
    idle_interval: float = 30.0
    after_track_end: float = 0.5
    demand_window: float = 180.0
    retry_after_cap: float = 300.0
    backoff_initial: float = 5.0
    backoff_cap: float = 120.0
    forbidden_interval: float = 300.0
    jitter: float = DEFAULT_JITTER

    def delay_after(self, playback: Playback, now: float) -> float:
        """Wait before the next poll: the state's interval, or just after the predicted end."""
        if playback.kind is PlaybackKind.IDLE:
            return self.idle_interval
        if not playback.is_playing:
            return self.paused_interval
        delay = self.playing_interval
        end = playback.predicted_end()
        if end is not None:
            delay = min(delay, max(0.0, end - now) + self.after_track_end)
        return delay

    def delay_after_error(self, error: SpotifyLCDError, failures: int) -> float:
        """Wait after a failed poll: Retry-After (capped), else exponential back-off."""
        if isinstance(error, SpotifyRateLimitedError):
            return min(error.retry_after, self.retry_after_cap)
        if isinstance(error, SpotifyForbiddenError):
            return self.forbidden_interval
        return min(self.backoff_initial * 2.0 ** max(0, failures - 1), self.backoff_cap)


class Poller:
    """Keeps an account's playback fresh while displays ask, and serves it without waiting."""

    def __init__(
        self,
        source: PlaybackSource,
        policy: PollPolicy | None = None,
        *,
        name: str = "",
        clock: Callable[[], float] = time.monotonic,
        rng: Callable[[], float] = random.random,
    ) -> None:
        """Poll `source`; nothing runs until `start()`."""
        self.source = source
        self.policy = policy or PollPolicy()
        self.name = name
        self._clock = clock
        self._rng = rng
        self._snapshot = Snapshot(AccountStatus.STARTING)
        self._last_demand = -float("inf")
        self._failures = 0
        self._wake = asyncio.Event()
        self._forced = False
        self._task: asyncio.Task[None] | None = None
        self.upstream_calls = 0

    @property
    def snapshot(self) -> Snapshot:
        """The cache as it is now."""
        return self._snapshot

    def demand(self) -> Snapshot:
        """A display asked: keep (or start) polling, and answer from the cache at once."""
        now = self._clock()
        if not self._wanted(now):
            self._wake.set()
        self._last_demand = now
        return self._snapshot

    def poll_soon(self) -> None:
        """Poll now instead of at the next scheduled time (after a forced token refresh)."""
        self._last_demand = self._clock()
        self._forced = True
        self._wake.set()

    def start(self) -> None:
        """Run the loop in the background; one poll happens at once to fill the cache."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"spotify-lcd poller {self.name}")

    async def stop(self) -> None:
        """Stop the loop and wait for it to end."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def poll_once(self) -> Snapshot:
        """Call the source once and fold the outcome into the cache."""
        self.upstream_calls += 1
        previous = self._snapshot.playback
        try:
            playback = await self.source.fetch_playback()
        except SpotifyReauthRequiredError as err:
            self._set(AccountStatus.NEEDS_RELINK, previous, err, None)
        except SpotifyForbiddenError as err:
            self._failures += 1
            self._set(AccountStatus.FORBIDDEN, previous, err, self.policy.forbidden_interval)
        except SpotifyRateLimitedError as err:
            self._failures += 1
            delay = self.policy.delay_after_error(err, self._failures)
            self._set(AccountStatus.RATE_LIMITED, previous, err, delay)
        except SpotifyLCDError as err:
            self._failures += 1
            delay = self.policy.delay_after_error(err, self._failures)
            self._set(AccountStatus.STALE, previous, err, delay)
        except Exception as err:
            # A bug must not end polling for good: log it loudly and retry with back-off.
            _LOGGER.exception("%s: unexpected error while polling", self.name)
            self._failures += 1
            delay = self.policy.delay_after_error(SpotifyLCDError(str(err)), self._failures)
            self._set(AccountStatus.STALE, previous, err, delay)
        else:
            self._failures = 0
            delay = self.policy.delay_after(playback, self._clock())
            self._set(AccountStatus.OK, playback, None, delay)
        return self._snapshot

    def _set(
        self,
        status: AccountStatus,
        playback: Playback | None,
        error: Exception | None,
        delay: float | None,
    ) -> None:
        if error is not None and status is not self._snapshot.status:
            _LOGGER.warning("%s: %s (%s)", self.name, status, error)
        next_poll_at = None
        if delay is not None:
            next_poll_at = self._clock() + delay * (1 + self.policy.jitter * self._rng())
        self._snapshot = Snapshot(
            status=status,
            playback=playback,
            error=(str(error) or type(error).__name__) if error is not None else None,
            next_poll_at=next_poll_at,
        )

    def _wanted(self, now: float) -> bool:
        return now - self._last_demand <= self.policy.demand_window

    async def _run(self) -> None:
        await self.poll_once()
        # No next poll means "needs re-link": the account must be linked again first.
        while self._snapshot.next_poll_at is not None:
            await self._sleep_until_due(self._snapshot.next_poll_at)
            await self.poll_once()

    async def _sleep_until_due(self, due: float) -> None:
        """Sleep until `due` (or a forced poll); while no display asks, sleep indefinitely.

        A display waking a sleeping poller gets a poll only once the schedule says the
        cached playback is due, so the priming poll is not repeated needlessly.
        """
        while not self._forced:
            self._wake.clear()
            now = self._clock()
            if not self._wanted(now):
                await self._wake.wait()
                continue
            if now >= due:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), due - now)
        self._forced = False
