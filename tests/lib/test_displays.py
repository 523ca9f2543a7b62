"""The log of displays the status page shows: per uid and address, bounded, recent first."""

from __future__ import annotations

from spotifylcd.contract import GetRequest
from spotifylcd.displays import DisplayLog
from spotifylcd.hd44780.rom import Rom
from tests.lib.conftest import FakeClock

KITCHEN_V1 = GetRequest("kitchen", None, "1", None, None)


def test_one_row_per_display_most_recent_first(clock: FakeClock) -> None:
    log = DisplayLog(clock=clock)
    log.saw(KITCHEN_V1, "10.0.0.5")
    clock.advance(1)
    log.saw(GetRequest("livingroom", "k", "2", Rom.A02, "20x4"), "10.0.0.6")
    clock.advance(1)
    log.saw(GetRequest("kitchen", None, "2", Rom.A00, "16x2"), "10.0.0.5")
    rows = [(s.uid, s.address, s.version, s.rom, s.size, s.requests) for s in log.recent()]
    assert rows == [
        ("kitchen", "10.0.0.5", "2", "A00", "16x2", 2),
        ("livingroom", "10.0.0.6", "2", "A02", "20x4", 1),
    ]


def test_order_is_of_requests_even_within_one_clock_tick(clock: FakeClock) -> None:
    log = DisplayLog(clock=clock)
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.1"):
        log.saw(KITCHEN_V1, address)
    assert [(seen.address, seen.requests) for seen in log.recent()] == [
        ("10.0.0.1", 2),
        ("10.0.0.2", 1),
    ]


def test_memory_is_bounded_and_silent_displays_are_forgotten(clock: FakeClock) -> None:
    log = DisplayLog(max_displays=3, forget_after=60.0, clock=clock)
    for n in range(10):
        log.saw(KITCHEN_V1, f"10.0.0.{n}")
    assert [seen.address for seen in log.recent()] == ["10.0.0.9", "10.0.0.8", "10.0.0.7"]
    clock.advance(61)
    log.saw(KITCHEN_V1, "10.0.0.1")
    assert [seen.address for seen in log.recent()] == ["10.0.0.1"]


def test_the_display_forgotten_when_full_is_the_one_silent_longest(clock: FakeClock) -> None:
    log = DisplayLog(max_displays=2, clock=clock)
    log.saw(KITCHEN_V1, "10.0.0.1")
    log.saw(KITCHEN_V1, "10.0.0.2")
    log.saw(KITCHEN_V1, "10.0.0.1")
    log.saw(KITCHEN_V1, "10.0.0.3")
    assert [seen.address for seen in log.recent()] == ["10.0.0.3", "10.0.0.1"]


def test_rows_read_are_not_changed_by_later_requests(clock: FakeClock) -> None:
    log = DisplayLog(clock=clock)
    log.saw(KITCHEN_V1, None)
    before = log.recent()
    clock.advance(1)
    log.saw(GetRequest("kitchen", None, "2", Rom.A02, "20x4"), None)
    assert [(s.address, s.version, s.rom, s.requests, s.last_seen) for s in before] == [
        ("?", "1", None, 1, clock() - 1)
    ]
    assert [(s.version, s.rom, s.size, s.requests) for s in log.recent()] == [
        ("2", "A02", "20x4", 2)
    ]
