"""MongoDB specifics: the old middleware's documents work as they are; an outage is an error."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection

from spotifylcd.exceptions import StoreUnavailableError
from spotifylcd.registry import AccountRegistry
from spotifylcd.spotify import SpotifyClient, TokenGrant
from spotifylcd.store import MongoTokenStore
from spotifylcd.store.mongodb import TOKEN_EXPIRE_FORMAT
from tests.lib.conftest import SLOW

type Collection = AsyncCollection[dict[str, Any]]

# Exactly what the Flask middleware wrote: no version, no device key, local-time expiry.
SEED = {
    "user": "esp32",
    "client_id": "legacy-client",
    "client_secret": "legacy-secret",
    "access_token": "legacy-access",
    "refresh_token": "legacy-refresh",
    "token_expire": "10/15/2022, 09:42:00",
}


@pytest.fixture
async def raw_collection(mongodb_server: str, mongodb_database: str) -> AsyncIterator[Collection]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_server)
    yield client[mongodb_database]["user"]
    await client.close()


@pytest.fixture
async def mongo_store(mongodb_server: str, mongodb_database: str) -> AsyncIterator[MongoTokenStore]:
    store = MongoTokenStore(mongodb_server, database=mongodb_database)
    yield store
    await store.close()


async def test_seed_document_is_usable_as_is(
    raw_collection: Collection, mongo_store: MongoTokenStore
) -> None:
    await raw_collection.insert_one(dict(SEED))
    account = await mongo_store.get("esp32")
    assert (account.client_id, account.client_secret) == ("legacy-client", "legacy-secret")
    assert (account.access_token, account.refresh_token) == ("legacy-access", "legacy-refresh")
    assert account.expires_at == datetime(2022, 10, 15, 9, 42).astimezone().timestamp()
    # Old firmware cannot send a key: the legacy account stays reachable keyless.
    assert (account.keyless, account.device_key, account.version) == (True, None, 0)


async def test_rotating_a_seed_document_keeps_its_legacy_shape(
    raw_collection: Collection, mongo_store: MongoTokenStore
) -> None:
    await raw_collection.insert_one({**SEED, "favourite_colour": "green"})
    account = await mongo_store.get("esp32")
    expires = datetime(2030, 1, 2, 3, 4, 5).astimezone().timestamp()
    saved = await mongo_store.save_if_unchanged(
        account.with_grant(TokenGrant("new-a", "new-r", expires))
    )
    assert saved.version == 1
    document = await raw_collection.find_one({"user": "esp32"}, {"_id": False})
    assert document is not None
    assert document["token_expire"] == "01/02/2030, 03:04:05"
    assert datetime.strptime(document["token_expire"], TOKEN_EXPIRE_FORMAT)  # noqa: DTZ007
    assert (document["access_token"], document["refresh_token"]) == ("new-a", "new-r")
    assert (document["expires_at"], document["version"]) == (int(expires), 1)
    assert document["favourite_colour"] == "green"
    assert document["client_secret"] == "legacy-secret"


async def test_unknown_expiry_counts_as_expired(
    raw_collection: Collection, mongo_store: MongoTokenStore
) -> None:
    await raw_collection.insert_one({"user": "odd", "token_expire": "yesterday-ish"})
    assert (await mongo_store.get("odd")).expires_at == 0.0


async def test_ping(mongo_store: MongoTokenStore) -> None:
    await mongo_store.ping()


@pytest.mark.usefixtures("abandoned_mongodb_sockets")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.parametrize("operation", ["ping", "list_accounts", "get"])
async def test_unreachable_server_is_a_clear_error(operation: str) -> None:
    store = MongoTokenStore("mongodb://127.0.0.1:9", timeout_ms=200)
    method = getattr(store, operation)
    with pytest.raises(StoreUnavailableError, match="MongoDB is not available"):
        await (method("x") if operation == "get" else method())
    await store.close()


async def test_a_sync_sees_a_document_the_old_middleware_changed(
    raw_collection: Collection, mongo_store: MongoTokenStore, spotify_client: SpotifyClient
) -> None:
    await raw_collection.insert_one(dict(SEED))
    registry = AccountRegistry(mongo_store, spotify_client, SLOW)
    # No poller: one refreshing the seed's expired token would race the middleware's write.
    registry.leads = lambda _uid: False
    await registry.sync()
    try:
        # The Flask middleware rotates a token in place: no version counter moves.
        await raw_collection.update_one({"user": "esp32"}, {"$set": {"access_token": "rotated"}})
        await registry.sync()
        runtime = registry.get("esp32")
        assert runtime is not None
        assert (runtime.account.access_token, runtime.account.version) == ("rotated", 0)
    finally:
        await registry.stop()
