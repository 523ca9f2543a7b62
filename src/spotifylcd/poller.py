"""Polling one account (DESIGN section 4): the policy, the outcome fold, and the lazy loop.

`PollEngine` is the engine both hosts share: it calls the playback source once and folds the
result or the error into the account's `Snapshot` and the time of the next call. The
standalone server runs it in `Poller`'s loop; Home Assistant's coordinator schedules it.
Accounts of one Spotify app share an `AppRateLimit`: Spotify rate-limits the app, not the user.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import random
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from .exceptions import (
    SpotifyForbiddenError,
    SpotifyLCDError,
    SpotifyRateLimitedError,
    SpotifyReauthRequiredError,
)
from .playback import Playback, PlaybackKind
from .status import AccountStatus, Snapshot
from .text import load_tables_for
from .track_end import TrackEnd

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
    # Spotify shows the next item this long after the previous one's predicted end until
    # the account's own track ends have taught better (`TrackEnd`), unless learning is off.
    track_end_lag: float = 0.4
    learn_track_end_lag: bool = True
    # The poll meant to show the next item is answered this long after the shortest lag
    # expected; until the next item shows, Spotify is asked again this soon after each ask
    # (or once its answer is back), through the longest lag and a grace (`TrackEnd`).
    track_end_margin: float = 0.1
    track_end_retry: float = 0.1
    demand_window: float = 180.0
    retry_after_cap: float = 300.0
    backoff_initial: float = 5.0
    # Short enough that a display sees Spotify's return within half a minute.
    backoff_cap: float = 30.0
    # A refusal (403) is retried within 30 s, then less often up to every 5 minutes: one
    # cleared soon after (Premium renewed) is noticed soon, a lasting one costs little.
    forbidden_initial: float = 30.0
    forbidden_interval: float = 300.0
    # Spreads accounts apart: a regular interval varies by this fraction of itself, centred
    # on it; Spotify's Retry-After is lengthened by up to it; and above 0 the waits many
    # accounts may start at once are spread in full: first polls over the first interval,
    # back-off over its whole step, a wait shared with the app's other accounts over the
    # interval after it. 0 makes the schedule exact (tests, benchmarks).
    jitter: float = DEFAULT_JITTER

    def interval_after(self, playback: Playback) -> float:
        """The state's interval; a poll for the next item may come sooner (`TrackEnd`)."""
        if playback.kind is PlaybackKind.IDLE:
            return self.idle_interval
        if not playback.is_playing:
            return self.paused_interval
        return self.playing_interval

    def delay_after_error(self, error: SpotifyLCDError, failures: int) -> float:
        """Longest wait after the `failures`-th failed poll in a row of this kind of error.

        Retry-After (capped) for a rate limit, else exponential back-off: slow for a refusal,
        quick for an outage.
        """
        if isinstance(error, SpotifyRateLimitedError):
            return min(error.retry_after, self.retry_after_cap)
        growth = 2.0 ** max(0, failures - 1)
        if isinstance(error, SpotifyForbiddenError):
            return min(self.forbidden_initial * growth, self.forbidden_interval)
        return min(self.backoff_initial * growth, self.backoff_cap)

    def first_poll_delay(self, index: int, count: int) -> float:
        """When the `index`-th of `count` accounts started together first polls: evenly spread."""
        return self.playing_interval * index / count if self.jitter > 0 else 0.0

    def track_end(self) -> TrackEnd:
        """A fresh account's track-end schedule under this policy."""
        return TrackEnd(
            lag=self.track_end_lag,
            margin=self.track_end_margin,
            retry=self.track_end_retry,
            learn=self.learn_track_end_lag,
        )


class AppRateLimit:
    """Spotify's Retry-After for one app (client id): told to one account, it holds for all."""

    def __init__(self) -> None:
        """No wait until Spotify asks for one."""
        self.until = -math.inf

    def wait_until(self, until: float) -> None:
        """Spotify asked one account to wait until `until` (monotonic): every account waits."""
        self.until = max(self.until, until)


_ERROR_STATUS: Final = (
    (SpotifyReauthRequiredError, AccountStatus.NEEDS_RELINK),
    (SpotifyForbiddenError, AccountStatus.FORBIDDEN),
    (SpotifyRateLimitedError, AccountStatus.RATE_LIMITED),
)


def _status_of(error: Exception) -> AccountStatus:
    for kind, status in _ERROR_STATUS:
        if isinstance(error, kind):
            return status
    return AccountStatus.STALE


class PollEngine:
    """One account's Spotify calls and what they mean for its displays."""

    def __init__(
        self,
        source: PlaybackSource,
        policy: PollPolicy | None = None,
        *,
        name: str = "",
        clock: Callable[[], float] | None = None,
        rng: Callable[[], float] | None = None,
        app_limit: AppRateLimit | None = None,
    ) -> None:
        """Poll `source` under `policy`; `name` labels the log lines.

        `app_limit` is shared by the accounts of one Spotify app; by default the account has
        one of its own.
        """
        self.source = source
        self.policy = policy or PollPolicy()
        self.name = name
        # Looked up now, not at import, so a patched clock (tests, HA's freezer) applies.
        self._clock = clock or time.monotonic
        self._rng = rng or random.random
        self._app_limit = app_limit or AppRateLimit()
        self._track_end = self.policy.track_end()
        # Due at once: a display asking before the first answer is told to come back soon.
        self._snapshot = Snapshot(AccountStatus.STARTING, next_poll_at=self._clock())
        # The kind of failure repeating now (None while Spotify answers), and how often.
        self._failing: AccountStatus | None = None
        self._failures = 0
        self.upstream_calls = 0
        self._text_loaded_for: tuple[str, ...] = ()

    @property
    def snapshot(self) -> Snapshot:
        """What displays are told now: the last playback and the link's health."""
        return self._snapshot

    def seconds_to_next_poll(self) -> float | None:
        """How long until the policy wants the next call; None once the link needs re-linking."""
        due = self._snapshot.next_poll_at
        return None if due is None else max(0.0, due - self._clock())

    async def poll(self) -> Snapshot:
        """Call the source once and fold the outcome into the snapshot.

        While Spotify has asked another account of the same app to wait, no call is made:
        the account waits too, and comes back at a random point of the interval after.
        """
        started = self._clock()
        if started < self._app_limit.until:
            self._wait_with_app()
            return self._snapshot
        self.upstream_calls += 1
        try:
            playback = await self.source.fetch_playback()
        except SpotifyLCDError as err:
            self._failed(err, err)
        except Exception as err:
            # A bug must not end polling for good: log it loudly and retry with back-off.
            _LOGGER.exception("%s: unexpected error while polling", self.name)
            self._failed(err, SpotifyLCDError(str(err)))
        else:
            now = self._clock()
            await self._load_text_tables(playback)
            if self._failing is not None:
                _LOGGER.info("%s: Spotify answers again (after %s)", self.name, self._failing)
            self._failing, self._failures = None, 0
            next_item_at = self._track_end.next_item_at(playback, started, now)
            interval = self.policy.interval_after(playback)
            # Spread over `jitter` of the interval, centred on it: accounts keep apart, and the
            # mean interval (the call budget) stays the policy's.
            next_poll_at = now + interval * (1 + self.policy.jitter * (self._rng() - 0.5))
            if next_item_at is not None and next_item_at < next_poll_at:
                # Not jittered: the next item shows then, and track ends keep accounts apart.
                next_poll_at = max(started + self.policy.track_end_retry, next_item_at)
            self._set(AccountStatus.OK, playback, None, now, next_poll_at)
        return self._snapshot

    async def _load_text_tables(self, playback: Playback) -> None:
        """Read the dictionaries a new item's text needs in a worker thread, before displays see it.

        So no title costs file I/O on the loop, and only the scripts listeners play are loaded.
        """
        strings = (playback.title, *playback.artists, playback.album, playback.device_name)
        if strings != self._text_loaded_for:
            if not all(map(str.isascii, strings)):  # ASCII needs no table
                await asyncio.to_thread(load_tables_for, strings, playback.genres)
            self._text_loaded_for = strings

    async def adopt(self, snapshot: Snapshot) -> None:
        """Show what another process polled (it holds the account's lease), dictionaries first."""
        if snapshot.playback is not None:
            await self._load_text_tables(snapshot.playback)
        self._snapshot = snapshot

    def forget(self) -> None:
        """Nobody polls from now on: drop the playback, which would only grow old.

        A display waking the account later must not be told a track from minutes ago is
        playing; it sees "starting" (or the error still in force) until the next answer.
        """
        old = self._snapshot
        status = AccountStatus.STARTING if old.status is AccountStatus.OK else old.status
        due = self._clock() if old.next_poll_at is None else max(self._clock(), old.next_poll_at)
        self._snapshot = Snapshot(
            status, None, old.error, due, polled_at=old.polled_at, asleep=True
        )

    def _spread_over(self, seconds: float) -> float:
        """A random point of the next `seconds` (0 when the schedule is exact)."""
        return seconds * self._rng() if self.policy.jitter > 0 else 0.0

    def _wait_with_app(self) -> None:
        if self._failing is not AccountStatus.RATE_LIMITED:
            _LOGGER.debug("%s: waiting out Spotify's rate limit of the app", self.name)
            self._failing, self._failures = AccountStatus.RATE_LIMITED, 0
        self._snapshot = Snapshot(
            status=AccountStatus.RATE_LIMITED,
            playback=self._snapshot.playback,
            error="Spotify rate-limits this app: every account of it waits",
            next_poll_at=self._app_limit.until + self._spread_over(self.policy.playing_interval),
            polled_at=self._snapshot.polled_at,
        )

    def _failed(self, error: Exception, as_library_error: SpotifyLCDError) -> None:
        status = _status_of(error)
        # Back-off grows only while the same kind of error repeats.
        self._failures = self._failures + 1 if status is self._failing else 1
        if status is not self._failing:
            _LOGGER.warning("%s: %s (%s)", self.name, status, error)
        self._failing = status
        now = self._clock()
        next_poll_at = None
        if status is not AccountStatus.NEEDS_RELINK:
            wait = self.policy.delay_after_error(as_library_error, self._failures)
            if isinstance(as_library_error, SpotifyRateLimitedError):
                self._app_limit.wait_until(now + wait)
                next_poll_at = now + wait * (1 + self.policy.jitter * self._rng())
            else:
                # Full jitter: accounts failing together (an outage) come back apart.
                next_poll_at = now + wait - self._spread_over(wait)
        self._set(status, self._snapshot.playback, error, now, next_poll_at)

    def _set(
        self,
        status: AccountStatus,
        playback: Playback | None,
        error: Exception | None,
        polled_at: float,
        next_poll_at: float | None,
    ) -> None:
        self._snapshot = Snapshot(
            status=status,
            playback=playback,
            error=(str(error) or type(error).__name__) if error is not None else None,
            next_poll_at=next_poll_at,
            polled_at=polled_at,
        )


class Poller:
    """Runs an account's `PollEngine` while displays ask, and serves them without waiting."""

    def __init__(
        self,
        source: PlaybackSource,
        policy: PollPolicy | None = None,
        *,
        name: str = "",
        clock: Callable[[], float] | None = None,
        rng: Callable[[], float] | None = None,
        app_limit: AppRateLimit | None = None,
    ) -> None:
        """Poll `source`; nothing runs until `start()`."""
        self.engine = PollEngine(
            source, policy, name=name, clock=clock, rng=rng, app_limit=app_limit
        )
        self.policy = self.engine.policy
        self.name = name
        # Looked up now, not at import, so a patched clock (tests, HA's freezer) applies.
        self._clock = clock or time.monotonic
        self._wanted_until = -float("inf")
        self._wake = asyncio.Event()
        self._forced = False
        self._task: asyncio.Task[None] | None = None

    @property
    def snapshot(self) -> Snapshot:
        """The cache as it is now."""
        return self.engine.snapshot

    @property
    def running(self) -> bool:
        """Whether this process polls the account (else it shows what another one polls)."""
        return self._task is not None

    @property
    def wanted_until(self) -> float:
        """Until when displays asking here want the account polled (monotonic)."""
        return self._wanted_until

    def want_until(self, until: float) -> None:
        """Displays asking another process want the account polled until `until`."""
        self._want(until, self._clock())

    @property
    def upstream_calls(self) -> int:
        """Spotify calls made so far."""
        return self.engine.upstream_calls

    def demand(self) -> Snapshot:
        """A display asked: keep (or start) polling, and answer from the cache at once.

        Polling is wanted for the demand window, counted from when the display was told to
        come back: one told to wait out a long Retry-After returns after the window, and the
        poller must still be awake for it then.
        """
        now = self._clock()
        snapshot = self.engine.snapshot
        due = snapshot.next_poll_at
        back = now if due is None or due < now else due
        self._want(back + self.policy.demand_window, now)
        return snapshot

    def poll_soon(self) -> None:
        """Poll now instead of at the next scheduled time (after a forced token refresh)."""
        self.demand()
        self._forced = True
        self._wake.set()

    def start(self, delay: float = 0.0) -> None:
        """Run the loop in the background; a first poll after `delay` fills the cache.

        Only a forced poll comes sooner: displays asking at start wait for the first poll,
        which keeps the first polls of many accounts spread out.
        """
        if self._task is None:
            self._task = asyncio.create_task(
                self._run(self._clock() + delay), name=f"spotify-lcd poller {self.name}"
            )

    async def stop(self) -> None:
        """Stop the loop and wait for it to end."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def poll_once(self) -> Snapshot:
        """One poll now, outside the schedule."""
        return await self.engine.poll()

    async def adopt(self, snapshot: Snapshot) -> None:
        """Show what the process polling the account saw; only while this one does not poll."""
        if not self.running:
            await self.engine.adopt(snapshot)

    def _want(self, until: float, now: float) -> None:
        """Polling wanted until `until`: a poller asleep for want of displays wakes."""
        if until > self._wanted_until:
            if until > now and not self._wanted(now):
                self._wake.set()
            self._wanted_until = until

    def _wanted(self, now: float) -> bool:
        return now <= self._wanted_until

    async def _run(self, first_poll_at: float) -> None:
        while not self._forced and (wait := first_poll_at - self._clock()) > 0:
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)
        self._forced = False
        await self.engine.poll()
        # No next poll means "needs re-link": the account must be linked again first.
        while (due := self.engine.snapshot.next_poll_at) is not None:
            await self._sleep_until_due(due)
            await self.engine.poll()

    async def _sleep_until_due(self, due: float) -> None:
        """Sleep until `due` (or a forced poll); while no display asks, sleep indefinitely.

        Without displays the cache is kept until it is due, then forgotten: it is served no
        older than while polling. A display waking a sleeping poller gets a poll only once
        the schedule says the cache is due, so the priming poll is not repeated needlessly.
        """
        while not self._forced:
            self._wake.clear()
            now = self._clock()
            if now < due:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), due - now)
                continue
            if self._wanted(now):
                break
            if not self.engine.snapshot.asleep:
                _LOGGER.debug("%s: no display asked lately; polling stops", self.name)
                self.engine.forget()
            await self._wake.wait()
        self._forced = False
