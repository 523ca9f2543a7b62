"""Tokens refreshed elsewhere (Home Assistant), mirrored into a store a server reads."""

from __future__ import annotations

import time

from spotifylcd.account import Account
from spotifylcd.spotify import TokenGrant
from spotifylcd.store import FileTokenStore
from spotifylcd.store.mirror import TokenMirror

NOW = time.time()


def grant(name: str, expires_in: float = 3600.0) -> TokenGrant:
    return TokenGrant(f"access-{name}", f"refresh-{name}", NOW + expires_in)


async def test_publish_creates_then_updates_the_account(
    file_store: FileTokenStore, linked_account: Account
) -> None:
    mirror = TokenMirror(file_store, linked_account.with_changes(access_token="", version=0))
    await mirror.publish(grant("a"))
    first = await file_store.get(linked_account.uid)
    assert (first.access_token, first.client_id, first.device_key) == (
        "access-a",
        linked_account.client_id,
        linked_account.device_key,
    )
    await mirror.publish(grant("b"))
    assert (await file_store.get(linked_account.uid)).refresh_token == "refresh-b"


async def test_a_token_rotated_by_another_writer_is_kept_and_offered(
    file_store: FileTokenStore, linked_account: Account
) -> None:
    mirror = TokenMirror(file_store, linked_account)
    await mirror.publish(grant("ha"))
    # The standalone server refreshed meanwhile, later than our grant.
    stored = await file_store.get(linked_account.uid)
    await file_store.save_if_unchanged(stored.with_grant(grant("server", 3700)))
    assert await mirror.newer(grant("ha")) == grant("server", 3700)
    assert await mirror.newer(grant("server", 3700)) is None
    # Spotify refused ours: any unexpired other token will do, whatever its expiry.
    assert await mirror.replacement("access-ha", NOW) == grant("server", 3700)
    assert await mirror.replacement("access-server", NOW) is None
    assert await mirror.replacement("access-ha", NOW + 4000) is None


async def test_an_unknown_account_offers_nothing(
    file_store: FileTokenStore, linked_account: Account
) -> None:
    mirror = TokenMirror(file_store, linked_account)
    assert await mirror.newer(grant("x")) is None
    assert await mirror.replacement("access-x", NOW) is None
