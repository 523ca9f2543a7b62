"""Who may read an account's `/get`: device keys, legacy keyless mode and bad-key throttling."""

from __future__ import annotations

import functools
import hmac
import ipaddress
import logging
import math
import time
from collections import deque
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

_LOGGER = logging.getLogger(__name__)

type Network = ipaddress.IPv4Network | ipaddress.IPv6Network
type Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class AccessDecision(StrEnum):
    """The outcome of checking one request's key."""

    ALLOWED = "allowed"
    MISSING_KEY = "missing_key"
    WRONG_KEY = "wrong_key"


def _address(remote: str | None) -> Address | None:
    if not remote:
        return None
    try:
        address = ipaddress.ip_address(remote.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


# Per address, as a keyless display asks every second: parsing one costs 2.5 µs.
@functools.lru_cache(maxsize=4096)
def is_private_client(remote: str | None) -> bool:
    """Loopback, private-range or link-local address: where legacy keyless firmware lives."""
    address = _address(remote)
    return address is not None and (
        address.is_loopback or address.is_private or address.is_link_local
    )


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


def parse_networks(texts: Iterable[str]) -> tuple[Network, ...]:
    """Addresses or networks (`10.0.0.2`, `172.30.32.0/23`); ValueError names a bad one."""
    networks = []
    for text in texts:
        try:
            networks.append(ipaddress.ip_network(text.strip(), strict=False))
        except ValueError as err:
            msg = f"{text!r} is not an IP address or network (such as 172.17.0.1 or 10.0.0.0/8)"
            raise ValueError(msg) from err
    return tuple(networks)


def client_address(
    peer: str | None, forwarded_for: str | None, trusted_proxies: tuple[Network, ...]
) -> str | None:
    """The client's address: the peer, unless the peer is a trusted reverse proxy.

    Behind trusted proxies the client is the last `X-Forwarded-For` hop that is not one of
    them (the hops before it are whatever the client claimed); without the header, the peer.
    """
    if not _trusted(peer, trusted_proxies) or not forwarded_for:
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",")]
    for hop in reversed(hops):
        if _address(hop) is None:
            # Garbage where an address should be: nothing to its left can be believed.
            return peer
        if not _trusted(hop, trusted_proxies):
            return hop
    return hops[0]


def _trusted(remote: str | None, networks: tuple[Network, ...]) -> bool:
    address = _address(remote)
    return address is not None and any(address in network for network in networks)


class BadKeyThrottle:
    """Slows down one client guessing one account's key, or guessing uids.

    Failures are counted per (client address, account), so one misconfigured display behind
    a shared address (NAT, a proxy) does not lock out the other displays there; unknown uids
    count per address. A throttled client is told when to try again (`Retry-After`). Device
    keys are 128 random bits, so the throttle is not what stops guessing: it makes a client
    that keeps failing cheap, tells it to back off, and keeps it out of the log.
    """

    def __init__(
        self,
        limit: int = 10,
        window: float = 60.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_tracked: int = 4096,
    ) -> None:
        """Allow `limit` failures per `window` seconds per (address, account)."""
        self.limit = limit
        self.window = window
        self._clock = clock
        self._max_tracked = max_tracked
        self._failures: dict[tuple[str, str | None], deque[float]] = {}
        # Failures other processes serving the same accounts saw, by process (`share`).
        self._peer_failures: dict[tuple[str, str | None], dict[str, tuple[float, ...]]] = {}
        self._unshared: set[tuple[str, str | None]] = set()
        self._throttled_since_report = 0
        self._reported_at = -math.inf

    def retry_after(self, remote: str | None, uid: str | None = None) -> float:
        """Seconds `remote` must wait before trying `uid` (None: unknown uids) again; 0 if none."""
        key = (remote or "", uid)
        failures = self._failures.get(key)
        peers = self._peer_failures.get(key)
        if failures is None and peers is None:
            return 0.0
        times = list(self._expire(failures)) if failures is not None else []
        if peers is not None:
            horizon = self._clock() - self.window
            times = sorted(times + [t for seen in peers.values() for t in seen if t > horizon])
        if len(times) < self.limit:
            return 0.0
        return max(0.0, times[-self.limit] + self.window - self._clock())

    def blocked(self, remote: str | None, uid: str | None = None) -> bool:
        """Whether `remote` must wait before trying `uid` again."""
        return self.retry_after(remote, uid) > 0

    def record_failure(self, remote: str | None, uid: str | None = None) -> None:
        """Count one wrong key for `uid` (or one unknown uid, for None) from `remote`."""
        key = (remote or "", uid)
        if len(self._failures) >= self._max_tracked and key not in self._failures:
            # Bounded memory under a spray of addresses: forget the least recent one.
            self._failures.pop(next(iter(self._failures)))
        failures = self._failures.pop(key, deque())
        self._expire(failures)
        failures.append(self._clock())
        self._failures[key] = failures
        self._unshared.add(key)
        if len(failures) == self.limit:
            self._report(key)

    def unshared_failures(self) -> dict[tuple[str, str | None], tuple[float, ...]]:
        """Keys that failed since the last call, with their failures in the window (monotonic)."""
        keys, self._unshared = self._unshared, set()
        return {
            key: tuple(self._expire(self._failures[key])) for key in keys if key in self._failures
        }

    def peer_failed(
        self, peer: str, key: tuple[str, str | None], failures: tuple[float, ...]
    ) -> None:
        """Another process serving these accounts saw these failures of `key` (monotonic here)."""
        if len(self._peer_failures) >= self._max_tracked and key not in self._peer_failures:
            self._peer_failures.pop(next(iter(self._peer_failures)))
        self._peer_failures.setdefault(key, {})[peer] = failures

    def _report(self, key: tuple[str, str | None]) -> None:
        """One log line per window at most, however many addresses get throttled."""
        self._throttled_since_report += 1
        now = self._clock()
        if now - self._reported_at < self.window:
            return
        remote, uid = key
        what = f"wrong device keys for {uid!r}" if uid is not None else "unknown uids"
        others = self._throttled_since_report - 1
        _LOGGER.warning(
            "%s sent %d %s within %.0f s; refusing it for a while%s",
            remote,
            self.limit,
            what,
            self.window,
            f" ({others} more client(s) throttled since the last report)" if others else "",
        )
        self._reported_at = now
        self._throttled_since_report = 0

    def _expire(self, failures: deque[float]) -> deque[float]:
        horizon = self._clock() - self.window
        while failures and failures[0] <= horizon:
            failures.popleft()
        return failures
