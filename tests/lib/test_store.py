"""The token-store contract, run against the embedded file store and a real MongoDB server.

Also what the server makes of a store that answers with something it cannot read.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pymongo import AsyncMongoClient

from spotifylcd.account import Account
from spotifylcd.exceptions import AccountNotFoundError, StoreConflictError, StoreCorruptError
from spotifylcd.registry import AccountRegistry
from spotifylcd.spotify import SpotifyClient, TokenGrant
from spotifylcd.store import FileTokenStore, MongoTokenStore, TokenStore, open_store
from spotifylcd.store.base import DEFAULT_COLLECTION


@pytest.fixture(params=["file", "mongodb"])
async def store(
    request: pytest.FixtureRequest, tmp_path: Path, mongodb_database: str
) -> AsyncIterator[TokenStore]:
    if request.param == "file":
        yield FileTokenStore(tmp_path / "data")
        return
    uri = request.getfixturevalue("mongodb_server")
    mongo = MongoTokenStore(uri, database=mongodb_database)
    yield mongo
    await mongo.close()


async def test_put_then_get_round_trips_every_field(
    store: TokenStore, linked_account: Account
) -> None:
    account = linked_account.with_changes(keyless=True, country="JP", linked_at=1_700_000_000.0)
    saved = await store.put(account)
    assert saved == account.with_changes(version=1)
    assert await store.get(account.uid) == saved
    assert await store.list_accounts() == [saved]


async def test_put_again_bumps_the_version(store: TokenStore, linked_account: Account) -> None:
    await store.put(linked_account)
    again = await store.put(linked_account.with_changes(client_id="other"))
    assert (again.version, again.client_id) == (2, "other")


async def test_accounts_are_listed_in_uid_order(store: TokenStore, linked_account: Account) -> None:
    for uid in ("kitchen", "attic", "study"):
        await store.put(linked_account.with_changes(uid=uid))
    assert [a.uid for a in await store.list_accounts()] == ["attic", "kitchen", "study"]


async def test_missing_account(store: TokenStore) -> None:
    with pytest.raises(AccountNotFoundError):
        await store.get("nobody")
    with pytest.raises(AccountNotFoundError):
        await store.delete("nobody")
    with pytest.raises(AccountNotFoundError):
        await store.save_if_unchanged(Account(uid="nobody"))


async def test_delete(store: TokenStore, linked_account: Account) -> None:
    await store.put(linked_account)
    await store.delete(linked_account.uid)
    assert await store.list_accounts() == []


async def test_compare_and_set_refuses_a_stale_version(
    store: TokenStore, linked_account: Account
) -> None:
    v1 = await store.put(linked_account)
    v2 = await store.save_if_unchanged(v1.with_grant(TokenGrant("access-A", "refresh-A", 1.0)))
    assert v2.version == 2
    with pytest.raises(StoreConflictError):
        await store.save_if_unchanged(v1.with_grant(TokenGrant("access-B", "refresh-B", 2.0)))
    stored = await store.get(linked_account.uid)
    assert (stored.access_token, stored.refresh_token, stored.version) == (
        "access-A",
        "refresh-A",
        2,
    )


async def test_two_concurrent_writers_never_lose_a_rotated_token(
    store: TokenStore, linked_account: Account
) -> None:
    base = await store.put(linked_account)

    async def rotate(name: str) -> str:
        try:
            await store.save_if_unchanged(
                base.with_grant(TokenGrant(f"a-{name}", f"r-{name}", 9.0))
            )
        except StoreConflictError:
            return "lost"
        return name

    outcomes = await asyncio.gather(*(rotate(str(n)) for n in range(8)))
    winners = [outcome for outcome in outcomes if outcome != "lost"]
    assert len(winners) == 1
    stored = await store.get(linked_account.uid)
    # The stored pair is the winner's, whole: never one writer's access with another's refresh.
    assert (stored.access_token, stored.refresh_token, stored.version) == (
        f"a-{winners[0]}",
        f"r-{winners[0]}",
        2,
    )


async def test_secrets_stay_out_of_repr(linked_account: Account) -> None:
    text = repr(linked_account.with_changes(client_secret="s3cr3t"))
    for secret in ("s3cr3t", "access-0", "refresh-0", "k3y-livingroom"):
        assert secret not in text


async def test_open_store_picks_by_location(tmp_path: Path) -> None:
    assert isinstance(open_store(str(tmp_path)), FileTokenStore)
    mongo = open_store("mongodb://127.0.0.1:1")
    assert isinstance(mongo, MongoTokenStore)
    await mongo.close()


@pytest.mark.parametrize(
    "document", [{"user": "odd", "version": "two"}, {"user": "odd", "overrides": ["a", "b"]}]
)
async def test_the_server_refuses_a_mongodb_account_it_cannot_read(
    mongodb_server: str,
    mongodb_database: str,
    http_session: aiohttp.ClientSession,
    document: dict[str, Any],
) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_server)
    collection = client[mongodb_database][DEFAULT_COLLECTION]
    await collection.insert_one(dict(document))
    store = MongoTokenStore(mongodb_server, database=mongodb_database)
    registry = AccountRegistry(store, SpotifyClient(http_session), demo=True)
    try:
        with pytest.raises(StoreCorruptError, match="'odd' is not a Spotify LCD account"):
            await registry.start()
        assert registry.runtimes() == []
        assert await collection.find_one({}, {"_id": False}) == document
    finally:
        await store.close()
        await client.close()
