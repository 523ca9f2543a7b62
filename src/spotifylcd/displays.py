"""The displays that asked lately, so the operator can see which ones are polling."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from .contract import GetRequest

MAX_DISPLAYS = 256
FORGET_AFTER = 24 * 3600.0


@dataclass(frozen=True, slots=True)
class DisplaySeen:
    """One display (an account's uid asked from one address) and what it last asked for."""

    uid: str
    address: str
    version: str
    rom: str | None
    size: str | None
    last_seen: float
    requests: int


class _Heard:
    """What `DisplayLog` keeps of a display, updated in place on every request it answers."""

    __slots__ = ("asked", "last_seen", "order", "requests")
    asked: GetRequest
    last_seen: float
    # The log's count of answers when this display last asked: orders displays by recency.
    order: int
    requests: int

    def __init__(self) -> None:
        self.requests = 0


class DisplayLog:
    """Who asked `/get` with a valid key, by (uid, address); bounded, oldest forgotten first."""

    def __init__(
        self,
        *,
        max_displays: int = MAX_DISPLAYS,
        forget_after: float = FORGET_AFTER,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Keep at most `max_displays`, none silent for longer than `forget_after` seconds."""
        self._max = max_displays
        self._forget_after = forget_after
        self._clock = clock
        self._seen: dict[tuple[str, str], _Heard] = {}
        self._answers = 0

    def saw(self, request: GetRequest, address: str | None) -> None:
        """Note one answered request: a few stores, as it is on the path of every `/get`."""
        key = (request.uid, address or "?")
        heard = self._seen.get(key) or self._heard_first(key)
        heard.asked = request
        heard.last_seen = self._clock()
        heard.requests += 1
        self._answers += 1
        heard.order = self._answers

    def _heard_first(self, key: tuple[str, str]) -> _Heard:
        """A display's first request: room is made by forgetting the one silent longest."""
        if len(self._seen) >= self._max:
            del self._seen[min(self._seen, key=lambda known: self._seen[known].order)]
        heard = self._seen[key] = _Heard()
        return heard

    def recent(self) -> list[DisplaySeen]:
        """The displays heard from lately, most recent first."""
        horizon = self._clock() - self._forget_after
        for key in [key for key, heard in self._seen.items() if heard.last_seen < horizon]:
            del self._seen[key]
        latest_first = sorted(self._seen.items(), key=lambda item: item[1].order, reverse=True)
        return [
            DisplaySeen(
                uid,
                address,
                heard.asked.version,
                heard.asked.rom,
                heard.asked.size,
                heard.last_seen,
                heard.requests,
            )
            for (uid, address), heard in latest_first
        ]
