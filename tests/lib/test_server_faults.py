"""The server under hostile clients and failing parts: raw HTTP, dropped bodies, proxies,
a store that is down at start, and a poller that went to sleep."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from spotifylcd.access import parse_networks
from spotifylcd.account import Account
from spotifylcd.poller import PollPolicy
from spotifylcd.registry import AccountRegistry
from spotifylcd.server import DisplayServer
from spotifylcd.spotify import SpotifyClient, SpotifyEndpoints
from spotifylcd.store import FileTokenStore, MongoTokenStore
from tests.fake_spotify import FakeSpotify, Reply
from tests.lib.test_poller import eventually
from tests.loopback import DisplayClient, DisplayClientFactory, DisplayTestServer, free_port
from tests.mongodb import _wait_for_mongodb, start_nx_27017

type Fake = tuple[FakeSpotify, SpotifyEndpoints]
type Client = DisplayClient
type ClientFactory = DisplayClientFactory

KEY = "k3y-livingroom"


@pytest.fixture
async def served(registry: AccountRegistry) -> AsyncIterator[int]:
    """The display server on a real port, run as `spotify-lcd serve` runs it."""
    runner = web.ServerRunner(DisplayServer(registry).web_server())
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "localhost", port).start()
    yield port
    await runner.cleanup()


async def raw_exchange(port: int, request: bytes, *, read: bool = True) -> bytes:
    reader, writer = await asyncio.open_connection("localhost", port)
    writer.write(request)
    await writer.drain()
    answer = await reader.read() if read else b""
    writer.close()
    await writer.wait_closed()
    return answer


def parse_answer(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"FOO /get HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /get HTTP/9.9\r\nHost: x\r\n\r\n",
        b"POST /get HTTP/1.1\r\nHost: x\r\nBad Header\x01: y\r\n\r\n",
        b"POST /get HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n",
        b"POST /get HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 TLS hello to a plain port",
        b"GET /" + b"a" * 10_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    ],
    ids=["method", "version", "header", "length", "chunking", "tls", "long-line"],
)
async def test_unparsable_http_gets_a_json_error_without_echo(
    served: int, request_bytes: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    status, headers, body = parse_answer(await raw_exchange(served, request_bytes))
    assert status == 400
    assert headers["content-type"].startswith("application/json")
    answer = json.loads(body)
    assert answer["error"] == "bad_request"
    assert answer["message"]
    for echoed in (b"FOO", b"Bad Header", b"HTTP/9.9", b"TLS", b"aaaa", b"nope", b"zz"):
        assert echoed not in body
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]


async def test_a_request_no_route_can_match_gets_a_json_error(served: int) -> None:
    # CONNECT's target is an authority, not a path: aiohttp refuses it before any route.
    status, headers, body = parse_answer(
        await raw_exchange(
            served,
            b"CONNECT /preview?NUL=w%3F HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
    )
    assert (status, headers["content-type"].split(";")[0]) == (404, "application/json")
    assert json.loads(body)["error"] == "not_found"


async def test_a_client_awaiting_100_continue_is_told_to_send_its_body(served: int) -> None:
    reader, writer = await asyncio.open_connection("localhost", served)
    writer.write(
        b"POST /get HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 8\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nExpect: 100-continue\r\n\r\n"
    )
    await writer.drain()
    async with asyncio.timeout(5):
        interim = await reader.readuntil(b"\r\n\r\n")
    assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
    writer.write(b"uid=demo")
    await writer.drain()
    status, _, body = parse_answer(await reader.read())
    writer.close()
    await writer.wait_closed()
    assert (status, json.loads(body)["api_response"]) == (200, 200)


async def test_an_unknown_expectation_is_refused_as_json(served: int) -> None:
    status, _, body = parse_answer(
        await raw_exchange(
            served,
            b"POST /get HTTP/1.1\r\nHost: x\r\nConnection: close\r\nExpect: tea\r\n"
            b"Content-Length: 8\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\n"
            b"uid=demo",
        )
    )
    assert (status, json.loads(body)["error"]) == (417, "expectation_failed")


@pytest.mark.parametrize(("path", "status"), [("/healthz", 200), ("/", 200), ("/get", 405)])
async def test_head_asks_the_get_routes_for_their_headers_only(
    served: int, path: str, status: int
) -> None:
    request = f"HEAD {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    answer = parse_answer(await raw_exchange(served, request.encode()))
    assert (answer[0], answer[2]) == (status, b"")
    assert int(answer[1]["content-length"]) > 0


async def test_a_client_leaving_mid_body_is_not_an_error(
    served: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for _ in range(20):
        await raw_exchange(
            served,
            b"POST /get HTTP/1.1\r\nHost: x\r\nContent-Length: 200\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n\r\nuid=liv",
            read=False,
        )
    await asyncio.sleep(0.1)
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]
    # The server is fine and still answers.
    status, _, body = parse_answer(
        await raw_exchange(
            served,
            b"POST /get HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 8\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n\r\nuid=demo",
        )
    )
    assert (status, json.loads(body)["api_response"]) == (200, 200)


@pytest.mark.parametrize(
    ("trusted", "forwarded_for", "status"),
    [
        ((), "8.8.8.8", 200),  # no trusted proxy: the header is ignored, loopback is private
        (("127.0.0.1",), "8.8.8.8", 401),  # behind the proxy is a public client: no keyless
        (("127.0.0.0/8",), "192.168.1.7, 127.0.0.5", 200),
        (("127.0.0.1",), None, 200),
    ],
)
async def test_keyless_behind_a_trusted_proxy_sees_the_real_client(
    aiohttp_client: ClientFactory,
    registry: AccountRegistry,
    trusted: tuple[str, ...],
    forwarded_for: str | None,
    status: int,
) -> None:
    client = await aiohttp_client(
        DisplayTestServer(DisplayServer(registry, trusted_proxies=parse_networks(trusted)))
    )
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    response = await client.post("/get", data={"uid": "legacy"}, headers=headers)
    assert response.status == status


async def test_the_displays_table_names_the_client_behind_the_proxy(
    aiohttp_client: ClientFactory, registry: AccountRegistry
) -> None:
    server = DisplayServer(registry, trusted_proxies=parse_networks(["127.0.0.1"]))
    client = await aiohttp_client(DisplayTestServer(server))
    headers = {"X-Forwarded-For": "192.168.1.23"}
    await client.post("/get", data={"uid": "livingroom", "key": KEY}, headers=headers)
    page = await (await client.get("/")).text()
    assert "<td>livingroom</td><td>192.168.1.23</td>" in page


FAST = PollPolicy(
    playing_interval=0.05, paused_interval=0.05, idle_interval=0.05, demand_window=0.1, jitter=0
)


async def test_a_display_waking_the_account_is_never_told_old_playback_is_live(
    aiohttp_client: ClientFactory,
    file_store: FileTokenStore,
    spotify_client: SpotifyClient,
    linked_account: Account,
    fake_spotify: Fake,
    track_state: dict[str, Any],
) -> None:
    fake_spotify[0].player_default = Reply(200, track_state)
    await file_store.put(linked_account)
    registry = AccountRegistry(file_store, spotify_client, FAST)
    await registry.start()
    try:
        runtime = registry.get("livingroom")
        assert runtime is not None
        client = await aiohttp_client(DisplayTestServer(DisplayServer(registry)))
        await eventually(lambda: runtime.poller.snapshot.asleep)
        calls = fake_spotify[0].calls["player"]
        page = await (await client.get("/")).text()
        assert "asleep" in page
        assert "Paparazzi" not in page
        body = await (await client.post("/get", data={"uid": "livingroom", "key": KEY})).json()
        assert body == {"api_response": 204}
        v2 = await (
            await client.post("/get", data={"uid": "livingroom", "key": KEY, "v": "2"})
        ).json()
        assert (v2["state"], v2["stale"], v2["next_poll"]) == ("starting", False, 1000)
        # That request woke the poller: the next answer is fresh.
        await eventually(lambda: fake_spotify[0].calls["player"] > calls)
        await eventually(lambda: runtime.poller.snapshot.playback is not None)
        body = await (await client.post("/get", data={"uid": "livingroom", "key": KEY})).json()
        assert (body["api_response"], body["song_title"], body["status"]) == (
            200,
            "Paparazzi",
            True,
        )
    finally:
        await registry.stop()


@pytest.mark.mongodb
@pytest.mark.usefixtures("abandoned_mongodb_sockets")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
async def test_mongodb_down_at_start_is_503_then_served_as_soon_as_it_answers(
    aiohttp_client: ClientFactory,
    spotify_client: SpotifyClient,
    linked_account: Account,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    port = free_port()
    uri = f"mongodb://localhost:{port}"
    store = MongoTokenStore(uri, "spotify-lcd-outage", timeout_ms=300)
    # The registry may read the store back up but still empty (before the link below): a
    # short rescan lets the test see the account without waiting out the 30 s default.
    registry = AccountRegistry(store, spotify_client, FAST, sync_interval=0.5)
    await registry.start()
    nx = None
    try:
        client = await aiohttp_client(DisplayTestServer(DisplayServer(registry)))
        response = await client.post("/get", data={"uid": "livingroom", "key": KEY})
        assert (response.status, (await response.json())["error"]) == (503, "store_unavailable")
        assert int(response.headers["Retry-After"]) >= 1
        nx = start_nx_27017(port, tmp_path)
        await asyncio.to_thread(_wait_for_mongodb, uri, nx)
        writer = MongoTokenStore(uri, "spotify-lcd-outage")
        await writer.put(linked_account)
        await writer.close()
        async with asyncio.timeout(20):
            while response.status != 200:
                await asyncio.sleep(0.1)
                response = await client.post("/get", data={"uid": "livingroom", "key": KEY})
        assert (await (await client.get("/healthz")).json())["store"] == "ok"
        unknown = await client.post("/get", data={"uid": "nobody"})
        assert unknown.status == 404
        messages = [record.getMessage() for record in caplog.records]
        assert sum("token store unavailable" in message for message in messages) == 1
        assert sum("token store available again" in message for message in messages) == 1
        assert all(len(message) < 300 for message in messages)
    finally:
        await registry.stop()
        await store.close()
        if nx is not None:
            nx.terminate()
            nx.wait(timeout=10)
