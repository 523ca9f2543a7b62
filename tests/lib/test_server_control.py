"""`POST /control` on the standalone server: each action reaches Spotify, the poll follows."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from typing import Any

import pytest

from spotifylcd.account import Account
from spotifylcd.registry import AccountRegistry
from spotifylcd.server import DisplayServer
from spotifylcd.spotify import SCOPES, SpotifyClient, SpotifyEndpoints
from spotifylcd.store import FileTokenStore
from tests.fake_spotify import FakeSpotify, Reply
from tests.lib.conftest import make_registry
from tests.loopback import DisplayClient, DisplayClientFactory, DisplayTestServer

type Fake = tuple[FakeSpotify, SpotifyEndpoints]
type Client = DisplayClient
type ClientFactory = DisplayClientFactory

KEY = "k3y-livingroom"


def track(state: dict[str, Any], title: str) -> dict[str, Any]:
    state = copy.deepcopy(state)
    state["item"]["name"] = title
    state["item"]["uri"] = f"spotify:track:{title}"
    return state


@pytest.fixture
async def client(
    aiohttp_client: ClientFactory,
    file_store: FileTokenStore,
    spotify_client: SpotifyClient,
    linked_account: Account,
    fake_spotify: Fake,
    track_state: dict[str, Any],
) -> AsyncIterator[Client]:
    fake_spotify[0].player_default = Reply(200, track_state)
    scopes = " ".join(SCOPES)
    await file_store.put(linked_account.with_changes(scopes=scopes))
    await file_store.put(
        linked_account.with_changes(
            uid="legacy", device_key=None, keyless=True, scopes=scopes, keyless_control=True
        )
    )
    await file_store.put(linked_account.with_changes(uid="old-link", device_key="old-key"))
    registry: AccountRegistry = await make_registry(file_store, spotify_client, demo=True)
    yield await aiohttp_client(DisplayTestServer(DisplayServer(registry)))
    await registry.stop()


async def control(client: Client, **fields: str) -> tuple[int, Any]:
    response = await client.post("/control", data=fields)
    return response.status, await response.json()


async def test_a_skip_reaches_spotify_and_the_next_get_shows_it(
    client: Client, fake_spotify: Fake, track_state: dict[str, Any]
) -> None:
    fake = fake_spotify[0]
    fake.on_command = lambda _command: setattr(
        fake, "player_default", Reply(200, track(track_state, "Bad Romance"))
    )
    polls = fake.calls["player"]
    assert await control(client, uid="livingroom", key=KEY, action="next") == (
        200,
        {"ok": True, "action": "next"},
    )
    assert fake.commands == [("next", {})]
    assert fake.calls["player"] == polls + 1  # polled before answering
    response = await client.post("/get", data={"uid": "livingroom", "key": KEY})
    assert (await response.json())["song_title"] == "Bad Romance"


@pytest.mark.parametrize(
    ("action", "command"),
    [
        ("toggle", ("pause", {})),
        ("play", ("play", {})),
        ("previous", ("previous", {})),
        ("volume_up", ("volume", {"volume_percent": "33"})),
        ("volume_down", ("volume", {"volume_percent": "13"})),
    ],
)
async def test_every_action(
    client: Client, fake_spotify: Fake, action: str, command: tuple[str, dict[str, str]]
) -> None:
    status, _ = await control(client, uid="livingroom", key=KEY, action=action)
    assert status == 200
    assert fake_spotify[0].commands == [command]


async def test_refusals(client: Client, fake_spotify: Fake) -> None:
    fake = fake_spotify[0]
    fields = {"uid": "livingroom", "key": KEY, "action": "next"}
    fake.active_device = False
    assert (await control(client, **fields))[1]["error"] == "no_active_device"
    fake.active_device = True
    fake.command_queue.append(Reply(429, {}, {"Retry-After": "9"}))
    response = await client.post("/control", data=fields)
    assert (response.status, response.headers["Retry-After"]) == (429, "9")
    status, body = await control(client, uid="old-link", key="old-key", action="next")
    assert (status, body["error"]) == (403, "relink_for_controls")
    status, body = await control(client, uid="demo", action="next")
    assert (status, body["error"]) == (403, "controls_not_available")
    status, body = await control(client, uid="livingroom", key=KEY, action="rewind")
    assert (status, body["error"]) == (400, "invalid_action")
    assert fake.commands == []


async def test_keyless_control_where_the_owner_allows_it(
    client: Client, fake_spotify: Fake
) -> None:
    assert (await control(client, uid="legacy", action="toggle"))[0] == 200
    assert fake_spotify[0].commands == [("pause", {})]
