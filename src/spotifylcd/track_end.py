"""When to ask Spotify for an account's next item: learned from the account's own track ends.

Spotify's API shows the next item a little after the previous one's predicted end; how long
after depends on the account's device (later on some, earlier with crossfade). The first poll
showing a new item tells: that item started at `fetched_at - progress`, the one before was
predicted to end at its `predicted_end()`, and the difference is one sample of the lag. The
median of the last few samples is the estimate. The poll meant to show the next item is sent
that long after the predicted end, less the time a poll takes to come back, plus a margin.
"""

from __future__ import annotations

import statistics
from collections import deque
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from .playback import Playback

# A sample outside these bounds is no natural track end (a skip or seek on the phone, a
# pause, polls missed in between). Crossfade, up to 12 s in Spotify's settings, starts the
# next item early.
LAG_BOUNDS: Final = (-12.0, 2.0)
# Track ends remembered: enough for the median to shrug off a skip near the end.
LAG_SAMPLES: Final = 7
ROUND_TRIP_SAMPLES: Final = 5
# Spotify later than learned: asked again this many times, then the regular interval.
MAX_RETRIES: Final = 3


class TrackEnd:
    """One account's track ends: Spotify's lag learned from them, and the poll for the next item."""

    def __init__(self, *, lag: float, margin: float, retry: float, learn: bool) -> None:
        """Start from `lag`; learn it (and the poll's round trip) unless `learn` is off."""
        self._initial_lag = lag
        self._margin = margin
        self._retry = retry
        self._learn = learn
        self._lags: deque[float] = deque(maxlen=LAG_SAMPLES)
        self._round_trips: deque[float] = deque(maxlen=ROUND_TRIP_SAMPLES)
        # The item whose end is awaited, that end as last predicted, and the poll planned for
        # the next item (a send time).
        self._awaited: Playback | None = None
        self._end = 0.0
        self._planned = 0.0
        self._retries = 0

    @property
    def lag(self) -> float:
        """Seconds from a predicted end until Spotify shows the next item."""
        return statistics.median(self._lags) if self._lags else self._initial_lag

    @property
    def round_trip(self) -> float:
        """Seconds a poll takes to come back (0 until learned)."""
        return statistics.median(self._round_trips) if self._round_trips else 0.0

    def next_item_at(self, playback: Playback, sent_at: float, answered_at: float) -> float | None:
        """Learn from a poll's answer; when to send the poll that should show the next item.

        None when no end is predicted (paused, idle, length unknown) or Spotify kept showing
        an item past its end through every retry (a stalled device): the regular interval
        applies then.
        """
        if self._learn:
            self._round_trips.append(answered_at - sent_at)
        end = playback.predicted_end()
        awaited = self._awaited if self._still_awaited(playback, end) else None
        if awaited is None and self._awaited is not None:
            self._sample(playback)
        self._awaited = playback if end is not None else None
        if end is None:
            return None
        if awaited is None:
            self._retries = 0
            self._end = end
        elif answered_at < self._planned and playback.progress_ms < playback.duration_ms:
            self._end = end
        self._planned = self._end + self.lag - self.round_trip + self._margin
        if answered_at < self._planned:
            return self._planned
        # This answer should have shown the next item: Spotify is later than learned.
        self._retries += 1
        return sent_at + self._retry if self._retries <= MAX_RETRIES else None

    def _still_awaited(self, playback: Playback, end: float | None) -> bool:
        """Whether `playback` is the awaited item, neither restarted (repeat) nor sought back."""
        return (
            end is not None
            and playback.same_item(self._awaited)
            and (end <= self._end + LAG_BOUNDS[1] or playback.progress_ms >= playback.duration_ms)
        )

    def _sample(self, playback: Playback) -> None:
        """A new item replaced the awaited one: one sample of the lag, if it is a track end."""
        if not (self._learn and playback.is_playing):
            return
        lag = playback.fetched_at - playback.progress_ms / 1000 - self._end
        if LAG_BOUNDS[0] <= lag <= LAG_BOUNDS[1]:
            self._lags.append(lag)
