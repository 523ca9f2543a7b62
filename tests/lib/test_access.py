"""Device keys, legacy keyless mode (private networks only) and bad-key throttling."""

from __future__ import annotations

import logging

import pytest

from spotifylcd.access import (
    AccessDecision,
    BadKeyThrottle,
    check_key,
    client_address,
    is_private_client,
    parse_networks,
)
from spotifylcd.account import generate_device_key
from tests.lib.conftest import FakeClock


@pytest.mark.parametrize(
    ("remote", "private"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("192.168.1.40", True),
        ("10.0.0.7", True),
        ("172.20.3.4", True),
        ("169.254.10.1", True),
        ("fd00::1234", True),
        ("fe80::1%eth0", True),
        ("::ffff:192.168.1.40", True),
        ("8.8.8.8", False),
        ("2001:4860:4860::8888", False),
        ("::ffff:8.8.8.8", False),
        ("", False),
        (None, False),
        ("not-an-ip", False),
    ],
)
def test_private_clients(remote: str | None, private: bool) -> None:
    assert is_private_client(remote) is private


@pytest.mark.parametrize(
    ("device_key", "given", "keyless", "remote", "decision"),
    [
        ("secret", "secret", False, "8.8.8.8", AccessDecision.ALLOWED),
        ("secret", "wrong", False, "127.0.0.1", AccessDecision.WRONG_KEY),
        ("secret", None, False, "127.0.0.1", AccessDecision.MISSING_KEY),
        ("secret", "", False, "127.0.0.1", AccessDecision.MISSING_KEY),
        ("secret", None, True, "192.168.1.9", AccessDecision.ALLOWED),
        ("secret", None, True, "8.8.8.8", AccessDecision.MISSING_KEY),
        (None, None, True, "10.1.1.1", AccessDecision.ALLOWED),
        (None, "anything", True, "10.1.1.1", AccessDecision.WRONG_KEY),
        (None, "anything", False, "10.1.1.1", AccessDecision.WRONG_KEY),
    ],
)
def test_check_key(
    device_key: str | None, given: str | None, keyless: bool, remote: str, decision: AccessDecision
) -> None:
    assert check_key(device_key, given, keyless=keyless, remote=remote) is decision


def test_device_keys_are_random_and_url_safe() -> None:
    keys = {generate_device_key() for _ in range(100)}
    assert len(keys) == 100
    assert all(len(key) >= 22 and key.replace("-", "").replace("_", "").isalnum() for key in keys)


def test_throttle_blocks_after_the_limit_and_forgets_after_the_window(clock: FakeClock) -> None:
    throttle = BadKeyThrottle(limit=3, window=60.0, clock=clock)
    for _ in range(3):
        assert not throttle.blocked("10.0.0.9", "kitchen")
        throttle.record_failure("10.0.0.9", "kitchen")
        clock.advance(10)
    assert throttle.retry_after("10.0.0.9", "kitchen") == 30.0  # the first failure expires
    assert not throttle.blocked("10.0.0.10", "kitchen")
    assert not throttle.blocked("10.0.0.9", "livingroom")
    assert not throttle.blocked("10.0.0.9")  # unknown uids count apart
    clock.advance(31)
    assert throttle.retry_after("10.0.0.9", "kitchen") == 0.0


def test_unknown_uids_count_per_address(clock: FakeClock) -> None:
    throttle = BadKeyThrottle(limit=2, clock=clock)
    throttle.record_failure("10.0.0.9")
    throttle.record_failure("10.0.0.9")
    assert throttle.blocked("10.0.0.9")
    assert not throttle.blocked("10.0.0.9", "kitchen")


def test_throttling_is_logged_once_a_window(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="spotifylcd.access")
    throttle = BadKeyThrottle(limit=2, window=60.0, clock=clock)
    for n in range(100):
        for _ in range(3):
            throttle.record_failure(f"10.0.{n}.1", "kitchen")
    clock.advance(61)
    throttle.record_failure("10.9.9.9")
    throttle.record_failure("10.9.9.9")
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 2
    assert messages[0].startswith("10.0.0.1 sent 2 wrong device keys for 'kitchen'")
    assert "unknown uids" in messages[1]
    assert "(99 more client(s) throttled since the last report)" in messages[1]


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "trusted", "client"),
    [
        ("10.0.0.2", "8.8.8.8", [], "10.0.0.2"),  # no proxy trusted: the header is ignored
        ("10.0.0.2", "8.8.8.8", ["10.0.0.2"], "8.8.8.8"),
        ("10.0.0.2", None, ["10.0.0.2"], "10.0.0.2"),
        ("10.0.0.3", "8.8.8.8", ["10.0.0.2"], "10.0.0.3"),  # not the trusted proxy
        # The client may put anything in front: only the hop our proxy added counts.
        ("10.0.0.2", "192.168.1.5, 8.8.8.8", ["10.0.0.2"], "8.8.8.8"),
        ("10.0.0.2", "8.8.8.8, 172.17.0.9", ["10.0.0.2", "172.17.0.0/16"], "8.8.8.8"),
        ("10.0.0.2", "192.168.1.5, 10.0.0.2", ["10.0.0.0/8"], "192.168.1.5"),
        ("10.0.0.2", "8.8.8.8, garbage", ["10.0.0.2"], "10.0.0.2"),
        ("::ffff:10.0.0.2", "2001:db8::7", ["10.0.0.2"], "2001:db8::7"),
    ],
)
def test_client_address_behind_trusted_proxies(
    peer: str, forwarded_for: str | None, trusted: list[str], client: str
) -> None:
    assert client_address(peer, forwarded_for, parse_networks(trusted)) == client


def test_a_bad_network_is_named() -> None:
    with pytest.raises(ValueError, match=r"'10\.0\.0\.300' is not an IP address"):
        parse_networks(["10.0.0.0/8", "10.0.0.300"])


def test_throttle_memory_is_bounded(clock: FakeClock) -> None:
    throttle = BadKeyThrottle(limit=1, clock=clock, max_tracked=10)
    for n in range(100):
        throttle.record_failure(f"10.0.0.{n}", "kitchen")
    assert throttle.blocked("10.0.0.99", "kitchen")
    assert not throttle.blocked("10.0.0.0", "kitchen")
    assert len(throttle._failures) == 10
