"""Who may read an account's `/get`: device keys, legacy keyless mode and bad-key throttling."""

from __future__ import annotations

import hmac
import ipaddress
import time
from collections import deque
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable


class AccessDecision(StrEnum):
    """The outcome of checking one request's key."""

    ALLOWED = "allowed"
    MISSING_KEY = "missing_key"
    WRONG_KEY = "wrong_key"


def is_private_client(remote: str | None) -> bool:
    """Loopback, private-range or link-local address: where legacy keyless firmware lives."""
    if not remote:
        return False
    try:
        address = ipaddress.ip_address(remote.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback or address.is_private or address.is_link_local


def check_key(
    device_key: str | None, given: str | None, *, keyless: bool, remote: str | None
) -> AccessDecision:
    """Constant-time key check; keyless accounts pass only for private-network clients."""
    if given:
        if device_key and hmac.compare_digest(device_key.encode(), given.encode()):
            return AccessDecision.ALLOWED
        return AccessDecision.WRONG_KEY
    if keyless and is_private_client(remote):
        return AccessDecision.ALLOWED
    return AccessDecision.MISSING_KEY


class BadKeyThrottle:
    """Refuses an address that sent too many wrong keys recently (sliding window)."""

    def __init__(
        self,
        limit: int = 10,
        window: float = 60.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_tracked: int = 4096,
    ) -> None:
        """Allow `limit` wrong keys per `window` seconds per address."""
        self.limit = limit
        self.window = window
        self._clock = clock
        self._max_tracked = max_tracked
        self._failures: dict[str, deque[float]] = {}

    def blocked(self, remote: str | None) -> bool:
        """Whether `remote` must wait before trying keys again."""
        failures = self._failures.get(remote or "")
        if failures is None:
            return False
        self._expire(failures)
        return len(failures) >= self.limit

    def record_failure(self, remote: str | None) -> None:
        """Count one wrong key from `remote`."""
        if len(self._failures) >= self._max_tracked:
            # Bounded memory under a spray of addresses: forget the least recent one.
            self._failures.pop(next(iter(self._failures)))
        failures = self._failures.pop(remote or "", deque())
        self._expire(failures)
        failures.append(self._clock())
        self._failures[remote or ""] = failures

    def _expire(self, failures: deque[float]) -> None:
        horizon = self._clock() - self.window
        while failures and failures[0] <= horizon:
            failures.popleft()
