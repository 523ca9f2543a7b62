"""A natural track end shows soon after Spotify switches, for the call budget of a fixed margin.

Every test runs on a fake clock against a simulated player: tracks end naturally and Spotify
shows the next one a lag after the predicted end, reading the player when a request arrives
and answering a round trip later (as `bench/track_end.py` does with the fake Spotify).
"""

from __future__ import annotations

import bisect
import itertools
import statistics
from dataclasses import dataclass, field
from typing import Any

import pytest

from spotifylcd.playback import Playback
from spotifylcd.poller import PollEngine, PollPolicy
from spotifylcd.track_end import LAG_BOUNDS, LATE_GRACE, MAX_SPREAD, TrackEnd
from tests.fake_spotify import track_playing
from tests.lib.conftest import FakeClock

LEARNING = PollPolicy(jitter=0.0)
# The schedule before the lag was learned: 0.5 s after the predicted end, again every 0.5 s.
FIXED_MARGIN = PollPolicy(
    jitter=0.0,
    track_end_lag=0.0,
    learn_track_end_lag=False,
    track_end_margin=0.5,
    track_end_retry=0.5,
)
ROUND_TRIP = 0.12


def track(
    number: int, progress: float, duration: float, *, is_playing: bool = True
) -> dict[str, Any]:
    """Spotify's playback body for track `number`, `progress` seconds in."""
    return track_playing(
        f"Track {number}", progress, duration, uri=f"spotify:track:{number}", is_playing=is_playing
    )


@dataclass
class Player:
    """Tracks as (duration, lag): each ends naturally and Spotify shows the next `lag` later."""

    clock: FakeClock
    tracks: list[tuple[float, float]]
    round_trip: float = ROUND_TRIP
    starts: list[float] = field(init=False)
    calls: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.starts = [self.clock.now]
        for duration, lag in self.tracks:
            self.starts.append(self.starts[-1] + duration + lag)

    @property
    def switches(self) -> list[float]:
        """When Spotify first shows each next track."""
        return self.starts[1:-1]

    def stuck_at_end(self, at: float) -> bool:
        """Whether Spotify still shows an ended track at `at`."""
        number = bisect.bisect_right(self.starts, at) - 1
        return at - self.starts[number] >= self.tracks[number][0]

    async def fetch_playback(self) -> Playback:
        sampled = self.clock.now
        self.calls.append(sampled)
        number = min(bisect.bisect_right(self.starts, sampled) - 1, len(self.tracks) - 1)
        duration = self.tracks[number][0]
        state = track(number, min(sampled - self.starts[number], duration), duration)
        self.clock.advance(self.round_trip)
        return Playback.from_spotify(state, self.clock.now)


async def play(policy: PollPolicy, tracks: list[tuple[float, float]]) -> tuple[Player, list[float]]:
    """Poll the player as a host would, through every track; how late each switch showed."""
    clock = FakeClock()
    player = Player(clock, tracks)
    engine = PollEngine(player, policy, clock=clock)
    shown: list[tuple[float, str]] = []
    while clock.now < player.starts[-2] + 10:
        due = engine.snapshot.next_poll_at
        assert due is not None
        clock.now = max(clock.now, due)
        playback = (await engine.poll()).playback
        assert playback is not None
        shown.append((playback.fetched_at, playback.title))
    late = [
        next(at for at, title in shown if title == f"Track {number + 1}") - switch
        for number, switch in enumerate(player.switches)
    ]
    return player, late


def tracks_with_lag(lag: float, count: int = 8) -> list[tuple[float, float]]:
    """Tracks of differing lengths (ends fall anywhere in the 5 s cycle), lag varying ±30 ms."""
    return [(180.0 + 7.3 * n, lag + 0.03 * ((n % 3) - 1)) for n in range(count)]


@pytest.mark.parametrize("lag", [0.25, 0.6, 0.9, -3.0], ids=["quick", "slow", "slower", "fade"])
async def test_the_next_track_shows_within_a_third_of_a_second_once_the_lag_is_learned(
    lag: float,
) -> None:
    _, late = await play(LEARNING, tracks_with_lag(lag))
    # Two track ends teach the lag; from then on the answer shows the switch promptly.
    assert all(0 <= seconds <= 0.3 for seconds in late[2:]), late


@pytest.mark.parametrize("lag", [0.25, 0.9])
async def test_a_fixed_margin_shows_it_later(lag: float) -> None:
    _, learned = await play(LEARNING, tracks_with_lag(lag))
    _, fixed = await play(FIXED_MARGIN, tracks_with_lag(lag))
    assert max(learned[2:]) < 0.3 < statistics.median(fixed[2:])


async def test_a_lag_changing_every_track_shows_each_switch_within_0_3_s() -> None:
    lags = [0.2, 0.6, 0.35, 0.55, 0.25, 0.5, 0.4, 0.3, 0.58, 0.22, 0.45, 0.6, 0.2]
    _, late = await play(LEARNING, [(180.0 + 7.3 * n, lag) for n, lag in enumerate(lags)])
    assert all(0 <= seconds <= 0.3 for seconds in late[2:]), late


async def test_track_ends_stay_within_the_call_budget() -> None:
    # Half an hour of 3-4 minute tracks, Spotify 0.2-0.6 s late, varying from track to track.
    tracks = [(180.0 + 11.7 * (n % 5), 0.2 + 0.1 * ((n * 3) % 5)) for n in range(9)]
    for policy in (LEARNING, FIXED_MARGIN):
        player, _ = await play(policy, tracks)
        minutes = (player.starts[-2] + 10 - player.starts[0]) / 60
        # 12 a minute at the 5 s interval, and at most one more per track end.
        assert len(player.calls) <= 12 * minutes + len(player.switches)
        assert len(player.calls) / minutes <= 12.5


async def test_a_consistent_lag_is_met_by_the_first_poll_after_each_end() -> None:
    # No regular poll falls between an end and the switch (the 5 s grid lands 1-2 s after
    # the end): every poll that finds the ended track still shown is a planned one.
    tracks = [(182.5, 0.7 + 0.03 * ((n % 3) - 1)) for n in range(8)]
    player, _ = await play(LEARNING, tracks)
    stuck = [at for at in player.calls if player.stuck_at_end(at)]
    # The first track end, before the lag was learned, needed a retry; none since.
    assert stuck
    assert all(at < player.switches[0] for at in stuck)


async def test_spotify_later_than_learned_is_asked_again_soon() -> None:
    tracks = [*tracks_with_lag(0.3, 4), (200.0, 0.75), (200.0, 0.3)]
    _, late = await play(LEARNING, tracks)
    assert late[4] <= LEARNING.track_end_retry + ROUND_TRIP


async def test_a_stalled_player_is_asked_a_few_times_then_at_the_interval() -> None:
    # The fourth track stays at its end for a minute (a device that lost its connection).
    tracks = [*tracks_with_lag(0.3, 3), (200.0, 60.0), (200.0, 0.3)]
    player, _ = await play(LEARNING, tracks)
    end = player.starts[3] + 200.0
    after_end = [at for at in player.calls if end <= at < end + 10]
    # The planned poll and a retry every track_end_retry (or once the last came back) through
    # the grace, then the regular 5 s interval.
    *retries, regular = after_end
    spacing = max(LEARNING.track_end_retry, ROUND_TRIP)
    assert retries[-1] - retries[0] == pytest.approx(LATE_GRACE, abs=spacing)
    gaps = [later - sooner for sooner, later in itertools.pairwise(retries)]
    assert gaps == pytest.approx([spacing] * len(gaps))
    assert regular - retries[-1] >= LEARNING.playing_interval


def at(number: int, progress: float, fetched_at: float, duration: float = 200.0) -> Playback:
    return Playback.from_spotify(track(number, progress, duration), fetched_at)


def learned(lags: list[float]) -> TrackEnd:
    """A track end schedule that saw tracks end `lags` after their predicted ends."""
    schedule = LEARNING.track_end()
    now = 0.0
    for number, lag in enumerate(lags):
        schedule.next_item_at(at(number, 195.0, now), now, now)
        now += 5.0 + lag
        schedule.next_item_at(at(number + 1, 0.0, now), now, now)
        now += 5.0
    return schedule


def test_a_skip_near_the_end_brings_the_first_poll_at_most_max_spread_forward() -> None:
    assert learned([0.4, 0.4, 0.4]).lag_span == pytest.approx((0.4, 0.4))
    # The first poll comes at most MAX_SPREAD early, until the skip leaves the samples.
    assert learned([0.4, 0.4, -4.0, 0.4]).lag_span == pytest.approx((0.4 - MAX_SPREAD, 0.4))
    assert learned([0.4, 0.4, -4.0, *[0.4] * 7]).lag_span == pytest.approx((0.4, 0.4))


def test_the_span_of_lags_covers_the_samples_near_the_median() -> None:
    assert learned([0.2, 0.6, 0.35, 0.55, 0.25]).lag_span == pytest.approx((0.2, 0.6))
    # Skips and slow switches far from the others: retries sweep less than a second.
    spread = learned([0.4, 0.4, 0.4, -2.0, 1.9, 1.9]).lag_span
    assert spread == pytest.approx((0.4 - MAX_SPREAD, 0.4 + MAX_SPREAD))


def test_what_is_no_natural_track_end_is_not_learned() -> None:
    # A pause of half a minute before the next track; a skip early in a track.
    initial = (LEARNING.track_end_lag, LEARNING.track_end_lag)
    assert learned([30.0]).lag_span == initial
    assert learned([-60.0]).lag_span == initial
    assert LAG_BOUNDS[0] < -4.0 < 0.4 < LAG_BOUNDS[1] < 30.0


def test_the_poll_is_sent_a_round_trip_ahead() -> None:
    schedule = LEARNING.track_end()
    # Asked at 10.0, answered at 10.2 with 3 s left: the answer comes back 0.2 s after sending.
    planned = schedule.next_item_at(at(0, 197.0, 10.2), 10.0, 10.2)
    assert planned == pytest.approx(10.2 + 3.0 + 0.4 + 0.1 - 0.2)


def test_a_fixed_margin_ignores_the_round_trip_and_learns_nothing() -> None:
    schedule = FIXED_MARGIN.track_end()
    assert schedule.next_item_at(at(0, 197.0, 10.2), 10.0, 10.2) == pytest.approx(13.7)
    schedule.next_item_at(at(1, 0.0, 14.0), 14.0, 14.0)
    assert (schedule.lag_span, schedule.round_trip) == ((0.0, 0.0), 0.0)


def test_a_repeated_track_gets_its_own_end() -> None:
    schedule = LEARNING.track_end()
    schedule.next_item_at(at(0, 198.0, 10.0), 10.0, 10.0)
    # Repeat one: the same track from the start; its next end is planned, not retried.
    planned = schedule.next_item_at(at(0, 0.5, 12.9), 12.9, 12.9)
    assert planned == pytest.approx(12.9 + 199.5 + 0.4 + 0.1)
    assert schedule.lag_span == pytest.approx((0.4, 0.4))  # 12.9 - 0.5 - 12.0, a natural end


async def test_the_poll_for_the_next_track_is_not_jittered(clock: FakeClock) -> None:
    player = Player(clock, [(200.0, 0.4), (200.0, 0.4)], round_trip=0.0)
    clock.advance(198.0)
    engine = PollEngine(player, PollPolicy(jitter=0.1), clock=clock, rng=lambda: 1.0)
    await engine.poll()
    assert engine.seconds_to_next_poll() == pytest.approx(2.0 + 0.4 + 0.1)
