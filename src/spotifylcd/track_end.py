"""When to ask Spotify for an account's next item: learned from the account's own track ends.

Spotify's API shows the next item a little after the previous one's predicted end; how long
after depends on the account's device (later on some, earlier with crossfade). The first poll
showing a new item tells: that item started at `fetched_at - progress`, the one before was
predicted to end at its `predicted_end()`, and the difference is one sample of the lag. The
last few samples span the lags to expect, at most `MAX_SPREAD` either side of their median
(a skip near an end yields a sample far too early). The poll meant to show the next item is
sent the shortest of them after the predicted end, less the time a poll takes to come back,
plus a margin, and asked again every retry until the longest has passed (and a grace after):
an account whose lag changes from track to track sees each switch about a retry after it
happened, not half the span later.
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
# Track ends remembered: enough for an erratic account's lags to span what it does.
LAG_SAMPLES: Final = 7
# Seconds the span reaches either side of the median at most. Below the median each tenth of
# a second costs polls before the switch: a skip near an end costs at most a few, until it
# leaves the samples. Above, retries stop as soon as the next item shows.
MAX_SPREAD: Final = 0.4
ROUND_TRIP_SAMPLES: Final = 5
# Spotify later than every lag expected: asked again for this many seconds more, then at the
# regular interval (a stalled device).
LATE_GRACE: Final = 0.5


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

    @property
    def lag_span(self) -> tuple[float, float]:
        """Seconds from a predicted end until Spotify shows the next item: shortest and longest."""
        if not self._lags:
            return self._initial_lag, self._initial_lag
        median = statistics.median(self._lags)
        return (
            max(min(self._lags), median - MAX_SPREAD),
            min(max(self._lags), median + MAX_SPREAD),
        )

    @property
    def round_trip(self) -> float:
        """Seconds a poll takes to come back (0 until learned)."""
        return statistics.median(self._round_trips) if self._round_trips else 0.0

    def next_item_at(self, playback: Playback, sent_at: float, answered_at: float) -> float | None:
        """Learn from a poll's answer; when to send the poll that should show the next item.

        None when no end is predicted (paused, idle, length unknown) or Spotify kept showing
        an item past its end through the grace (a stalled device): the regular interval
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
        # The end as this answer predicts it, unless the awaited item already sits at its end.
        if awaited is None or (
            answered_at < self._planned and playback.progress_ms < playback.duration_ms
        ):
            self._end = end
        shortest, longest = self.lag_span
        ahead = self._margin - self.round_trip
        self._planned = self._end + shortest + ahead
        if answered_at < self._planned:
            return self._planned
        # Until the next item shows: through the lags expected, and a grace past the longest.
        if sent_at + self._retry <= self._end + longest + ahead + LATE_GRACE:
            return sent_at + self._retry
        return None

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
