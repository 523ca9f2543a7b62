"""The displays that asked lately, so the operator can see which ones are polling."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

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

    __slots__ = ("last_seen", "requests", "rom", "size", "version")
    version: str
    rom: str | None
    size: str | None
    last_seen: float
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

    def saw(
        self, uid: str, address: str | None, version: str, rom: str | None, size: str | None
    ) -> None:
        """Note one answered request."""
        key = (uid, address or "?")
        heard = self._seen.pop(key, None)
        if heard is None:
            if len(self._seen) >= self._max:
                del self._seen[next(iter(self._seen))]
            heard = _Heard()
        heard.version, heard.rom, heard.size = version, rom, size
        heard.last_seen = self._clock()
        heard.requests += 1
        self._seen[key] = heard

    def recent(self) -> list[DisplaySeen]:
        """The displays heard from lately, most recent first."""
        horizon = self._clock() - self._forget_after
        for key in [key for key, heard in self._seen.items() if heard.last_seen < horizon]:
            del self._seen[key]
        # `saw` moves a display to the end: the dict is in order of last request.
        return [
            DisplaySeen(
                uid, address, heard.version, heard.rom, heard.size, heard.last_seen, heard.requests
            )
            for (uid, address), heard in reversed(self._seen.items())
        ]
