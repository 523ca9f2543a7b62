"""The log of displays the status page shows: per uid and address, bounded, recent first."""

from __future__ import annotations

from spotifylcd.displays import DisplayLog
from tests.lib.conftest import FakeClock


def test_one_row_per_display_most_recent_first(clock: FakeClock) -> None:
    log = DisplayLog(clock=clock)
    log.saw("kitchen", "10.0.0.5", "1", None, None)
    clock.advance(1)
    log.saw("livingroom", "10.0.0.6", "2", "A02", "20x4")
    clock.advance(1)
    log.saw("kitchen", "10.0.0.5", "2", "A00", "16x2")
    rows = [(s.uid, s.address, s.version, s.rom, s.size, s.requests) for s in log.recent()]
    assert rows == [
        ("kitchen", "10.0.0.5", "2", "A00", "16x2", 2),
        ("livingroom", "10.0.0.6", "2", "A02", "20x4", 1),
    ]


def test_memory_is_bounded_and_silent_displays_are_forgotten(clock: FakeClock) -> None:
    log = DisplayLog(max_displays=3, forget_after=60.0, clock=clock)
    for n in range(10):
        log.saw("kitchen", f"10.0.0.{n}", "1", None, None)
    assert [seen.address for seen in log.recent()] == ["10.0.0.9", "10.0.0.8", "10.0.0.7"]
    clock.advance(61)
    log.saw("kitchen", "10.0.0.1", "1", None, None)
    assert [seen.address for seen in log.recent()] == ["10.0.0.1"]


def test_rows_read_are_not_changed_by_later_requests(clock: FakeClock) -> None:
    log = DisplayLog(clock=clock)
    log.saw("kitchen", None, "1", None, None)
    before = log.recent()
    clock.advance(1)
    log.saw("kitchen", None, "2", "A02", "20x4")
    assert [(s.address, s.version, s.rom, s.requests, s.last_seen) for s in before] == [
        ("?", "1", None, 1, clock() - 1)
    ]
    assert [(s.version, s.rom, s.size, s.requests) for s in log.recent()] == [
        ("2", "A02", "20x4", 2)
    ]
