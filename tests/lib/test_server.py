"""The standalone server end to end: fake Spotify → poller → `/get`, and every bad request."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from spotifylcd.access import BadKeyThrottle
from spotifylcd.account import Account
from spotifylcd.contract import MAX_BODY_BYTES
from spotifylcd.registry import AccountRegistry
from spotifylcd.server import DisplayServer
from spotifylcd.spotify import SpotifyClient, SpotifyEndpoints
from spotifylcd.store import FileTokenStore, MongoTokenStore
from tests.fake_spotify import FakeSpotify, Reply
from tests.lib.conftest import SLOW, make_registry, settled
from tests.lib.test_payload_v1 import V1_KEYS
from tests.lib.test_poller import eventually
from tests.loopback import DisplayClient, DisplayClientFactory, DisplayTestServer

type Fake = tuple[FakeSpotify, SpotifyEndpoints]
type ClientFactory = DisplayClientFactory
type Client = DisplayClient

KEY = "k3y-livingroom"


@pytest.fixture
async def client(aiohttp_client: ClientFactory, registry: AccountRegistry) -> Client:
    return await aiohttp_client(DisplayTestServer(DisplayServer(registry)))


async def get(client: Client, **fields: str) -> tuple[int, Any]:
    response = await client.post("/get", data=fields)
    return response.status, await response.json()


async def test_get_answers_the_legacy_json(client: Client, fake_spotify: Fake) -> None:
    status, body = await get(client, uid="livingroom", key=KEY)
    assert status == 200
    assert list(body) == V1_KEYS
    assert (body["api_response"], body["song_title"], body["artist_string"]) == (
        200,
        "Paparazzi",
        "Lady Gaga",
    )
    assert body["current"] >= 160210
    assert body["timer"] + body["current"] == body["duration"] == 208306


async def test_query_string_works_like_the_form(client: Client) -> None:
    response = await client.post("/get?uid=livingroom&key=" + KEY)
    assert (await response.json())["song_title"] == "Paparazzi"


async def test_fifty_displays_cost_no_extra_spotify_calls(
    client: Client, fake_spotify: Fake
) -> None:
    before = fake_spotify[0].calls["player"]
    answers = await asyncio.gather(*(get(client, uid="livingroom", key=KEY) for _ in range(50)))
    assert {status for status, _ in answers} == {200}
    # Demand wakes the poller, but the cached playback is not due yet (interval 60 s).
    assert fake_spotify[0].calls["player"] == before == 2  # one priming poll per account


async def test_keyless_legacy_account_from_loopback(client: Client) -> None:
    status, body = await get(client, uid="legacy")
    assert (status, body["song_title"]) == (200, "Paparazzi")


async def test_demo_needs_no_key(client: Client) -> None:
    status, body = await get(client, uid="demo")
    assert (status, body["api_response"]) == (200, 200)


LONG = "x" * (MAX_BODY_BYTES + 10)


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "error"),
    [
        ("POST", "/get", {"data": {}}, 400, "missing_uid"),
        ("POST", "/get", {"data": {"uid": "  "}}, 400, "missing_uid"),
        ("POST", "/get", {"data": {"uid": "u" * 65}}, 400, "invalid_uid"),
        ("POST", "/get", {"data": {"uid": "a\x00b"}}, 400, "invalid_uid"),
        ("POST", "/get", {"data": {"uid": "nobody"}}, 404, "unknown_uid"),
        ("POST", "/get", {"data": {"uid": "livingroom"}}, 401, "missing_key"),
        ("POST", "/get", {"data": {"uid": "livingroom", "key": "nope"}}, 403, "wrong_key"),
        (
            "POST",
            "/get",
            {"data": {"uid": "livingroom", "key": KEY, "v": "7"}},
            400,
            "unsupported_version",
        ),
        ("POST", "/get", {"data": {"uid": LONG}}, 413, "body_too_large"),
        ("GET", "/get", {}, 405, "method_not_allowed"),
        ("PUT", "/get", {"data": {"uid": "demo"}}, 405, "method_not_allowed"),
        ("POST", "/nope", {}, 404, "not_found"),
        (
            "POST",
            "/get",
            {
                "data": b"uid=\xff\xfe",
                "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            },
            400,
            "invalid_encoding",
        ),
        (
            "POST",
            "/get",
            {
                "data": "uid=%ff%fe",
                "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            },
            400,
            "invalid_encoding",
        ),
        ("POST", "/get", {"json": {"uid": "demo"}}, 415, "unsupported_media_type"),
        (
            "POST",
            "/get",
            {"data": b"\x89PNG", "headers": {"Content-Type": "image/png"}},
            415,
            "unsupported_media_type",
        ),
        ("POST", "/refresh", {"data": {"uid": "livingroom", "key": "nope"}}, 403, "wrong_key"),
        ("POST", "/refresh", {"data": {"uid": "u" * 65}}, 400, "invalid_uid"),
    ],
)
async def test_bad_requests_get_clear_json_errors(
    client: Client, method: str, path: str, kwargs: dict[str, Any], status: int, error: str
) -> None:
    response = await client.request(method, path, **kwargs)
    assert response.status == status
    assert response.content_type == "application/json"
    body = await response.json()
    assert body["error"] == error
    assert body["message"]
    assert "Traceback" not in await response.text()
    health = await client.get("/healthz")
    assert (health.status, (await health.json())["status"]) == (200, "ok")
    status, _ = await get(client, uid="livingroom", key=KEY)
    assert status == 200


async def test_form_with_a_charset_is_accepted(client: Client) -> None:
    response = await client.post(
        "/get",
        data="uid=demo",
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    assert response.status == 200


async def test_form_without_content_type_is_accepted(client: Client) -> None:
    response = await client.post("/get", data=b"uid=demo", headers={"Content-Type": ""})
    assert response.status == 200


async def test_repeated_bad_keys_are_throttled_for_that_account_only(
    aiohttp_client: ClientFactory,
    registry: AccountRegistry,
    file_store: FileTokenStore,
    linked_account: Account,
) -> None:
    await file_store.put(linked_account.with_changes(uid="kitchen", device_key="kk"))
    await registry.sync()
    await settled(registry)
    client = await aiohttp_client(
        DisplayTestServer(DisplayServer(registry, throttle=BadKeyThrottle(limit=3)))
    )
    statuses = [(await get(client, uid="livingroom", key="guess"))[0] for _ in range(3)]
    assert statuses == [403, 403, 403]
    response = await client.post("/get", data={"uid": "livingroom", "key": "guess"})
    assert (response.status, (await response.json())["error"]) == (429, "too_many_bad_keys")
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    # The same address: the right key, a keyless account and other accounts keep working.
    assert (await get(client, uid="livingroom", key=KEY))[0] == 200
    assert (await get(client, uid="legacy"))[0] == 200
    assert (await get(client, uid="kitchen", key="kk"))[0] == 200
    assert (await get(client, uid="kitchen", key="wrong"))[0] == 403


async def test_guessing_uids_is_throttled_without_telling_which_exist(
    aiohttp_client: ClientFactory, registry: AccountRegistry
) -> None:
    client = await aiohttp_client(
        DisplayTestServer(DisplayServer(registry, throttle=BadKeyThrottle(limit=3)))
    )
    assert [(await get(client, uid=f"guess{n}"))[0] for n in range(3)] == [404, 404, 404]
    for uid in ("guess9", "livingroom"):  # an unknown and a known uid answer alike now
        response = await client.post("/get", data={"uid": uid})
        assert (response.status, (await response.json())["error"]) == (429, "too_many_bad_keys")
        assert int(response.headers["Retry-After"]) >= 1
    assert (await get(client, uid="livingroom", key=KEY))[0] == 200


async def test_relink_needed_is_api_response_401(
    client: Client, registry: AccountRegistry, fake_spotify: Fake
) -> None:
    fake_spotify[0].valid_refresh_tokens.clear()
    fake_spotify[0].valid_access_tokens.clear()
    runtime = registry.get("livingroom")
    assert runtime is not None
    await runtime.poller.poll_once()
    assert await get(client, uid="livingroom", key=KEY) == (200, {"api_response": 401})


async def test_spotify_outage_serves_the_last_track(
    client: Client, registry: AccountRegistry, fake_spotify: Fake
) -> None:
    fake_spotify[0].player_default = Reply(503)
    runtime = registry.get("livingroom")
    assert runtime is not None
    await runtime.poller.poll_once()
    assert runtime.poller.snapshot.stale
    status, body = await get(client, uid="livingroom", key=KEY)
    assert (status, body["song_title"]) == (200, "Paparazzi")


async def test_refresh_forces_a_token_refresh(client: Client, fake_spotify: Fake) -> None:
    response = await client.post("/refresh", data={"uid": "livingroom", "key": KEY})
    assert await response.json() == {"uid": "livingroom", "refreshed": True}
    assert fake_spotify[0].calls["token"] == 1


async def test_refresh_is_limited_per_account(
    client: Client, registry: AccountRegistry, fake_spotify: Fake
) -> None:
    runtime = registry.get("livingroom")
    assert runtime is not None
    player_calls = fake_spotify[0].calls["player"]
    answers = [
        await client.post("/refresh", data={"uid": "livingroom", "key": KEY}) for _ in range(60)
    ]
    assert [answer.status for answer in answers].count(200) == 1
    refused = answers[-1]
    assert (await refused.json())["error"] == "too_soon"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    await eventually(lambda: fake_spotify[0].calls["player"] == player_calls + 1)
    await asyncio.sleep(0.05)
    assert (fake_spotify[0].calls["token"], fake_spotify[0].calls["player"]) == (
        1,
        player_calls + 1,
    )


async def test_refresh_needs_the_key_even_for_a_keyless_account(
    client: Client, fake_spotify: Fake
) -> None:
    response = await client.post("/refresh", data={"uid": "legacy"})
    assert (response.status, (await response.json())["error"]) == (401, "missing_key")
    assert fake_spotify[0].calls["token"] == 0


async def test_refresh_does_not_override_spotifys_retry_after(
    client: Client, registry: AccountRegistry, fake_spotify: Fake
) -> None:
    fake_spotify[0].player_queue.append(Reply(429, "", {"Retry-After": "40"}))
    runtime = registry.get("livingroom")
    assert runtime is not None
    await runtime.poller.poll_once()
    response = await client.post("/refresh", data={"uid": "livingroom", "key": KEY})
    assert (response.status, (await response.json())["error"]) == (429, "too_soon")
    assert 35 <= int(response.headers["Retry-After"]) <= 45
    assert fake_spotify[0].calls["token"] == 0


async def test_refresh_failure_is_reported(client: Client, fake_spotify: Fake) -> None:
    fake_spotify[0].valid_refresh_tokens.clear()
    response = await client.post("/refresh", data={"uid": "livingroom", "key": KEY})
    assert (response.status, (await response.json())["error"]) == (502, "refresh_failed")


async def test_home_page_lists_accounts_without_secrets(client: Client) -> None:
    page = await (await client.get("/")).text()
    for visible in ("livingroom", "legacy", "demo", "Paparazzi", "keyless"):
        assert visible in page
    for secret in (KEY, "access-0", "refresh-0", "test-client-secret"):
        assert secret not in page


async def test_status_page_shows_displays_states_with_reasons_and_previews(
    client: Client, registry: AccountRegistry, fake_spotify: Fake
) -> None:
    await client.post(
        "/get", data={"uid": "livingroom", "key": KEY, "v": "2", "rom": "A02", "size": "20x4"}
    )
    await get(client, uid="legacy")
    fake_spotify[0].player_queue.append(Reply(503))
    runtime = registry.get("livingroom")
    assert runtime is not None
    await runtime.poller.poll_once()
    page = await (await client.get("/")).text()
    displays = page.split("<h2>Displays</h2>", 1)[1]
    assert "<td>livingroom</td><td>127.0.0.1</td><td>v2 A02 20x4</td>" in displays
    assert "<td>legacy</td><td>127.0.0.1</td><td>legacy (v1)</td>" in displays
    assert "s ago" in displays
    assert "stale" in page
    assert "Spotify cannot be reached (Spotify answered HTTP 503)" in page
    assert 'data-src="preview?uid=livingroom"' in page
    assert 'http-equiv="refresh"' in page


async def test_status_page_preview_is_a_live_picture(
    client: Client, registry: AccountRegistry, fake_spotify: Fake, track_state: dict[str, Any]
) -> None:
    long_title = {
        **track_state,
        "item": {**track_state["item"], "name": "A title far too long for sixteen cells"},
    }
    fake_spotify[0].player_queue.append(Reply(200, long_title))
    runtime = registry.get("livingroom")
    assert runtime is not None
    await runtime.poller.poll_once()
    frames = []
    for t in ("0", "3000", "6000"):
        response = await client.get("/preview", params={"uid": "livingroom", "t": t})
        assert (response.status, response.content_type) == (200, "image/png")
        frames.append(await response.read())
    assert len(set(frames)) == 3  # the marquee and the progress move on
    response = await client.get("/preview", params={"uid": "nobody"})
    assert (response.status, (await response.json())["error"]) == (404, "unknown_uid")


async def test_account_linked_while_running_is_picked_up(
    client: Client, registry: AccountRegistry, file_store: FileTokenStore, linked_account: Account
) -> None:
    assert (await get(client, uid="kitchen", key="kk"))[0] == 404
    await file_store.put(linked_account.with_changes(uid="kitchen", device_key="kk"))
    await registry.sync()
    await settled(registry)
    assert (await get(client, uid="kitchen", key="kk"))[0] == 200
    await file_store.delete("kitchen")
    await registry.sync()
    assert (await get(client, uid="kitchen", key="kk"))[0] == 404


async def test_a_sync_keeps_what_did_not_change_in_the_store(
    client: Client, registry: AccountRegistry, file_store: FileTokenStore
) -> None:
    assert (await get(client, uid="livingroom", key=KEY))[0] == 200
    runtime = registry.get("livingroom")
    assert runtime is not None
    served = runtime.account
    await registry.sync()
    # The same account, so its laid-out bodies stay: replacing every account at each sync
    # had 1,000 accounts' displays wait while all their bodies were laid out again.
    assert runtime.account is served
    await file_store.put(served.with_changes(device_key="new-key"))
    await registry.sync()
    assert runtime.account.device_key == "new-key"
    assert (await get(client, uid="livingroom", key="new-key"))[0] == 200


@pytest.mark.usefixtures("abandoned_mongodb_sockets")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
async def test_store_down_is_degraded_not_dead(
    aiohttp_client: ClientFactory, spotify_client: SpotifyClient
) -> None:
    store = MongoTokenStore("mongodb://127.0.0.1:9", timeout_ms=200)
    registry = await make_registry(store, spotify_client, demo=True)
    try:
        client = await aiohttp_client(DisplayTestServer(DisplayServer(registry)))
        health = await (await client.get("/healthz")).json()
        assert (health["status"], health["store"]) == ("degraded", "unavailable")
        assert (await get(client, uid="demo"))[0] == 200
    finally:
        await registry.stop()
        await store.close()


async def test_get_v2_for_the_displays_rom_and_size(client: Client) -> None:
    response = await client.post(
        "/get", data={"uid": "livingroom", "key": KEY, "v": "2", "rom": "A02", "size": "20x4"}
    )
    assert response.status == 200
    body = await response.json()
    assert (body["v"], body["state"], body["rom"], body["cols"], body["rows"]) == (
        2,
        "playing",
        "A02",
        20,
        4,
    )
    assert body["title"] == "Paparazzi"
    assert len(await response.read()) < 1024


async def test_get_v2_defaults_to_the_accounts_settings(client: Client) -> None:
    body = await (await client.post("/get", data={"uid": "demo", "v": "2"})).json()
    assert (body["rom"], body["cols"], body["rows"]) == ("A00", 16, 2)


@pytest.mark.parametrize(
    ("fields", "error"),
    [({"rom": "A03"}, "invalid_rom"), ({"size": "40x4"}, "invalid_size")],
)
async def test_get_v2_refuses_unknown_displays(
    client: Client, fields: dict[str, str], error: str
) -> None:
    status, body = await get(client, uid="livingroom", key=KEY, v="2", **fields)
    assert (status, body["error"]) == (400, error)


@pytest.mark.parametrize(
    ("reply", "answer", "next_poll_in"),
    [
        (Reply(204), {"api_response": 204}, SLOW.idle_interval),
        (
            Reply(403, {"error": {"status": 403, "message": "Premium"}}),
            {"api_response": 403},
            SLOW.forbidden_initial,
        ),
        (Reply(429, "", {"Retry-After": "42"}), {"song_title": "Paparazzi"}, 42.0),
        (Reply(500, "boom"), {"song_title": "Paparazzi"}, SLOW.backoff_initial),
        (Reply(200, "{garbage"), {"song_title": "Paparazzi"}, SLOW.backoff_initial),
        (Reply(200, {}, delay=2.0), {"song_title": "Paparazzi"}, SLOW.backoff_initial),
    ],
    ids=["204", "403", "429-retry-after", "500", "garbage", "slow"],
)
async def test_spotify_moods_through_get(
    client: Client,
    registry: AccountRegistry,
    fake_spotify: Fake,
    reply: Reply,
    answer: dict[str, Any],
    next_poll_in: float,
) -> None:
    runtime = registry.get("livingroom")
    assert runtime is not None
    calls_before = fake_spotify[0].calls["player"]
    fake_spotify[0].player_queue.append(reply)
    poll_started = asyncio.get_running_loop().time()
    await runtime.poller.poll_once()
    status, body = await get(client, uid="livingroom", key=KEY)
    assert status == 200
    assert answer.items() <= body.items()
    # Exactly one upstream call per poll, and the next one scheduled per the policy.
    assert fake_spotify[0].calls["player"] == calls_before + 1
    next_poll_at = runtime.poller.snapshot.next_poll_at
    assert next_poll_at is not None
    assert next_poll_at - poll_started == pytest.approx(next_poll_in, abs=2.5)


@pytest.mark.parametrize(
    ("state_fixture", "title", "artist"),
    [
        ("episode_state", "Ep. 12 - Dot matrices", "Hardware Hour"),
        ("ad_state", "Advertisement", "Spotify"),
    ],
)
async def test_episode_and_ad_through_get(
    client: Client,
    registry: AccountRegistry,
    fake_spotify: Fake,
    request: pytest.FixtureRequest,
    state_fixture: str,
    title: str,
    artist: str,
) -> None:
    fake_spotify[0].player_queue.append(Reply(200, request.getfixturevalue(state_fixture)))
    runtime = registry.get("livingroom")
    assert runtime is not None
    await runtime.poller.poll_once()
    _, body = await get(client, uid="livingroom", key=KEY)
    assert (body["song_title"], body["artist_string"]) == (title, artist)
