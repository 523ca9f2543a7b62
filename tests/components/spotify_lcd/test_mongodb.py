"""Token storage in MongoDB (the old middleware's layout), against a real server over TCP."""

from __future__ import annotations

import time
import uuid
from typing import Any

import aiohttp
import pytest
from custom_components.spotify_lcd.const import CONF_DEVICE_KEY
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pymongo import AsyncMongoClient
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from spotifylcd.poller import PollPolicy
from spotifylcd.registry import AccountRegistry
from spotifylcd.spotify import SpotifyClient
from spotifylcd.store import MongoTokenStore
from tests.fake_spotify import FakeSpotify, Reply

from .conftest import CLIENT_ID, CLIENT_SECRET, DEVICE_KEY, TOKEN_URL, spotify_json

BASE_OPTIONS = {
    "rom": "a00",
    "size": "16x2",
    "japanese": "romaji",
    "han_reading": "auto",
    "poll_interval": 5,
    "keyless": False,
    "regenerate_key": False,
}


def mongo_options(uri: str, database: str) -> dict[str, Any]:
    return {
        **BASE_OPTIONS,
        "storage": "mongodb",
        "mongodb_uri": uri,
        "mongodb_database": database,
        "mongodb_collection": "user",
    }


async def set_up_with_mongodb(
    hass: HomeAssistant, entry: MockConfigEntry, uri: str, database: str
) -> None:
    """Add the entry with MongoDB token storage and set it up."""
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, options=mongo_options(uri, database))
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


@pytest.fixture
def database() -> str:
    return f"spotify-lcd-ha-{uuid.uuid4().hex[:10]}"


@pytest.mark.usefixtures("socket_enabled")
@pytest.mark.parametrize(
    ("uri", "error"),
    [
        ("http://not-mongo", "invalid_mongodb_uri"),
        ("mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=300", "cannot_connect_mongodb"),
        ("mongodb://a:b:c", "cannot_connect_mongodb"),
    ],
)
async def test_options_refuse_a_mongodb_that_does_not_answer(
    hass: HomeAssistant, config_entry: MockConfigEntry, uri: str, error: str
) -> None:
    config_entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(config_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], mongo_options(uri, "x")
    )
    assert (result["type"], result["errors"]) == (FlowResultType.FORM, {"mongodb_uri": error})
    assert dict(config_entry.options) == {}


@pytest.mark.usefixtures("socket_enabled")
async def test_options_accept_a_real_mongodb(
    hass: HomeAssistant, config_entry: MockConfigEntry, mongodb_server: str, database: str
) -> None:
    config_entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(config_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], mongo_options(mongodb_server, database)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert config_entry.options["mongodb_uri"] == mongodb_server


@pytest.mark.usefixtures("playing", "setup_credentials", "socket_enabled")
async def test_tokens_are_shared_through_the_old_layout(
    hass: HomeAssistant, config_entry: MockConfigEntry, mongodb_server: str, database: str
) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_server)
    collection = client[database]["user"]
    # The standalone server rotated the token after HA stored its own.
    await collection.insert_one(
        {
            "user": "livingroom",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "access_token": "rotated-elsewhere",
            "refresh_token": "refresh-elsewhere",
            "token_expire": "01/01/2099, 00:00:00",
            "expires_at": time.time() + 7200,
            "device_key": DEVICE_KEY,
            "version": 3,
        }
    )
    await set_up_with_mongodb(hass, config_entry, mongodb_server, database)
    # HA adopted the newer token...
    assert config_entry.data["token"]["access_token"] == "rotated-elsewhere"
    assert config_entry.data[CONF_DEVICE_KEY] == DEVICE_KEY
    # ...and the document keeps the legacy fields.
    document = await collection.find_one({"user": "livingroom"}, {"_id": False})
    assert document is not None
    assert (document["access_token"], document["client_secret"]) == (
        "rotated-elsewhere",
        CLIENT_SECRET,
    )
    await hass.config_entries.async_unload(config_entry.entry_id)
    await client.close()


@pytest.mark.usefixtures("playing", "setup_credentials", "socket_enabled")
async def test_tokens_are_published_for_a_new_document(
    hass: HomeAssistant, config_entry: MockConfigEntry, mongodb_server: str, database: str
) -> None:
    await set_up_with_mongodb(hass, config_entry, mongodb_server, database)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_server)
    document = await client[database]["user"].find_one({"user": "livingroom"}, {"_id": False})
    assert document is not None
    assert (document["access_token"], document["refresh_token"], document["client_id"]) == (
        "access-0",
        "refresh-0",
        CLIENT_ID,
    )
    assert document["device_key"] == DEVICE_KEY
    await hass.config_entries.async_unload(config_entry.entry_id)
    await client.close()


@pytest.mark.usefixtures("playing", "setup_credentials", "socket_enabled")
async def test_a_refreshed_token_reaches_mongodb(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    mongodb_server: str,
    database: str,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    await set_up_with_mongodb(hass, config_entry, mongodb_server, database)
    aioclient_mock.post(
        TOKEN_URL, json={"access_token": "access-9", "token_type": "Bearer", "expires_in": 3600}
    )
    hass.config_entries.async_update_entry(
        config_entry,
        data={**config_entry.data, "token": {**config_entry.data["token"], "expires_at": 0}},
    )
    await config_entry.runtime_data.coordinator.async_refresh()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_server)
    document = await client[database]["user"].find_one({"user": "livingroom"}, {"_id": False})
    assert document is not None
    assert (document["access_token"], document["refresh_token"]) == ("access-9", "refresh-0")
    await hass.config_entries.async_unload(config_entry.entry_id)
    await client.close()


@pytest.mark.usefixtures("playing", "setup_credentials", "socket_enabled")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
async def test_mongodb_down_does_not_stop_the_display(
    hass: HomeAssistant, config_entry: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    unreachable = "mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=200&connectTimeoutMS=200"
    await set_up_with_mongodb(hass, config_entry, unreachable, "x")
    assert config_entry.state is ConfigEntryState.LOADED
    assert "token mirror unavailable: MongoDB is not available" in caplog.text
    assert "Topology Description" not in caplog.text.split("token mirror unavailable")[1]
    await hass.config_entries.async_unload(config_entry.entry_id)


@pytest.mark.usefixtures("setup_credentials")
async def test_the_standalone_server_serves_what_home_assistant_linked(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    spotify_by_host_name: FakeSpotify,
    mongodb_server: str,
    database: str,
) -> None:
    fake = spotify_by_host_name
    fake.player_default = Reply(200, spotify_json("playback_state_track"))
    config_entry.data["token"]["expires_at"] = time.time() - 60
    await set_up_with_mongodb(hass, config_entry, mongodb_server, database)
    assert config_entry.state is ConfigEntryState.LOADED
    # HA refreshed the token; the refreshed token, the app and the device key are in MongoDB.
    assert fake.calls["token"] == 1
    store = MongoTokenStore(mongodb_server, database)
    stored = await store.get("livingroom")
    assert (stored.access_token, stored.client_id, stored.device_key) == (
        "access-1",
        CLIENT_ID,
        DEVICE_KEY,
    )
    # A standalone server (the add-on) on the same database serves the account, unlinked.
    async with aiohttp.ClientSession() as session:
        registry = AccountRegistry(store, SpotifyClient(session), PollPolicy(jitter=0.0))
        await registry.start()
        try:
            runtime = registry.get("livingroom")
            assert runtime is not None
            snapshot = await runtime.poller.poll_once()
        finally:
            await registry.stop()
    assert snapshot.playback is not None
    assert snapshot.playback.title == "Paparazzi"
    assert fake.calls["token"] == 1  # no second refresh, no second link
    # Later the server rotates the token first; HA, refused the old one, adopts it unrefreshed.
    async with aiohttp.ClientSession() as session:
        registry = AccountRegistry(store, SpotifyClient(session), PollPolicy(jitter=0.0))
        await registry.start()
        try:
            runtime = registry.get("livingroom")
            assert runtime is not None
            assert runtime.tokens is not None
            await runtime.tokens.refresh()
        finally:
            await registry.stop()
    await store.close()
    assert fake.calls["token"] == 2
    fake.valid_access_tokens.discard("access-1")
    coordinator = config_entry.runtime_data.coordinator
    await coordinator.async_refresh()
    assert coordinator.last_update_success
    assert config_entry.data["token"]["access_token"] == "access-2"
    assert fake.calls["token"] == 2
