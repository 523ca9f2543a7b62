"""Device keys, legacy keyless mode (private networks only) and bad-key throttling."""

from __future__ import annotations

import pytest

from spotifylcd.access import AccessDecision, BadKeyThrottle, check_key, is_private_client
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
        assert not throttle.blocked("10.0.0.9")
        throttle.record_failure("10.0.0.9")
    assert throttle.blocked("10.0.0.9")
    assert not throttle.blocked("10.0.0.10")
    clock.advance(61)
    assert not throttle.blocked("10.0.0.9")


def test_throttle_memory_is_bounded(clock: FakeClock) -> None:
    throttle = BadKeyThrottle(limit=1, clock=clock, max_tracked=10)
    for n in range(100):
        throttle.record_failure(f"10.0.0.{n}")
    assert throttle.blocked("10.0.0.99")
    assert not throttle.blocked("10.0.0.0")
    assert len(throttle._failures) == 10
