"""The add-on's admin UI: trusted addresses only, accounts and keys, previews, linking."""

from __future__ import annotations

import io
import re
import time
from html import unescape
from urllib.parse import parse_qs, urlparse

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from PIL import Image
from pytest_aiohttp import AiohttpClient

from spotifylcd.account import Account
from spotifylcd.admin import create_admin_app
from spotifylcd.exceptions import AccountNotFoundError
from spotifylcd.registry import AccountRegistry
from spotifylcd.server import DisplayServer
from spotifylcd.spotify import SpotifyClient, SpotifyEndpoints
from spotifylcd.store import FileTokenStore
from tests.fake_spotify import CLIENT_ID, CLIENT_SECRET, FakeSpotify, Reply
from tests.lib.test_poller import eventually
from tests.loopback import DisplayClient, DisplayTestServer, free_port

type Fake = tuple[FakeSpotify, SpotifyEndpoints]
type Client = TestClient[web.Request, web.Application]
# `aiohttp_client`, for the admin app and for the display server beside it.
type ClientFactory = AiohttpClient


@pytest.fixture
async def admin(aiohttp_client: ClientFactory, registry: AccountRegistry) -> Client:
    return await aiohttp_client(create_admin_app(registry, ["127.0.0.1"], clock=time.monotonic))


async def test_untrusted_addresses_are_refused(
    aiohttp_client: ClientFactory, registry: AccountRegistry
) -> None:
    client = await aiohttp_client(create_admin_app(registry, ["172.30.32.2"], clock=time.monotonic))
    for response in (
        await client.get("/"),
        await client.get("/preview?uid=livingroom"),
        await client.post("/link", data={}),
        await client.post("/unlink", data={"uid": "livingroom"}),
    ):
        assert response.status == 403
        assert (await response.json())["error"] == "forbidden"
    assert registry.get("livingroom") is not None


async def test_index_lists_accounts_with_their_keys_and_previews(admin: Client) -> None:
    page = await (await admin.get("/")).text()
    assert "livingroom" in page
    assert "k3y-livingroom" in page  # the trusted UI is where users read the key
    assert 'data-src="preview?uid=livingroom"' in page  # relative: works under ingress's prefix
    assert "setInterval" in page  # the previews animate
    assert "test-client-secret" not in page
    assert "access-0" not in page
    # The registry's accounts were linked without the control scope: say how to get controls.
    assert "link again to enable them" in page


async def test_preview_is_the_lcd_as_a_png(admin: Client) -> None:
    response = await admin.get("/preview?uid=livingroom&t=0")
    assert (response.status, response.content_type) == (200, "image/png")
    with Image.open(io.BytesIO(await response.read())) as image:
        assert image.format == "PNG"
    later = await (await admin.get("/preview?uid=livingroom&t=5000")).read()
    assert later != await response.read()  # the progress bar and the artist phase moved on
    assert (await admin.get("/preview?uid=nobody")).status == 404


async def test_linking_through_the_ui(
    admin: Client, registry: AccountRegistry, fake_spotify: Fake
) -> None:
    fake_spotify[0].codes.add("the-code")
    page = await (
        await admin.post(
            "/link", data={"uid": "kitchen", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
        )
    ).text()
    authorize = unescape(re.search(r'href="([^"]+/authorize[^"]+)"', page).group(1))  # type: ignore[union-attr]
    query = parse_qs(urlparse(authorize).query)
    assert query["redirect_uri"] == ["http://127.0.0.1:8888/callback"]
    pasted = f"http://127.0.0.1:8888/callback?code=the-code&state={query['state'][0]}"
    response = await admin.post(
        "/link/finish", data={"uid": "kitchen", "redirect": pasted}, allow_redirects=False
    )
    assert (response.status, response.headers["Location"]) == (303, "../")
    account = await registry.store.get("kitchen")
    assert (account.spotify_user_id, account.refresh_token, account.keyless) == (
        "wizzler",
        "refresh-1",
        False,
    )
    assert account.device_key
    runtime = registry.get("kitchen")
    assert runtime is not None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"uid": "kitchen", "redirect": "http://127.0.0.1:8888/callback?code=x&state=forged"},
            "state mismatch",
        ),
    ],
)
async def test_a_bad_paste_is_reported(admin: Client, data: dict[str, str], message: str) -> None:
    await admin.post(
        "/link", data={"uid": "kitchen", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    )
    page = await (await admin.post("/link/finish", data=data)).text()
    assert "Linking failed" in page
    assert message in page


async def test_an_unknown_attempt_and_missing_fields(admin: Client) -> None:
    page = await (await admin.post("/link/finish", data={"uid": "ghost", "redirect": "x"})).text()
    assert "expired" in page
    page = await (await admin.post("/link", data={"uid": "kitchen"})).text()
    assert "all needed" in page


async def start_link(admin: Client, uid: str = "kitchen") -> str:
    """Start linking `uid`; the state Spotify will send back."""
    page = await (
        await admin.post(
            "/link", data={"uid": uid, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
        )
    ).text()
    authorize = unescape(re.search(r'href="([^"]+/authorize[^"]+)"', page).group(1))  # type: ignore[union-attr]
    return parse_qs(urlparse(authorize).query)["state"][0]


async def test_a_wrong_paste_can_be_retried(
    admin: Client, registry: AccountRegistry, fake_spotify: Fake
) -> None:
    fake_spotify[0].codes.add("the-code")
    state = await start_link(admin)
    wrong = await admin.post(
        "/link/finish", data={"uid": "kitchen", "redirect": "http://127.0.0.1:8888/callback?x=1"}
    )
    page = await wrong.text()
    assert wrong.status == 200
    assert "Linking failed" in page
    assert 'action="finish"' in page  # the paste form again, for the same attempt
    pasted = f"http://127.0.0.1:8888/callback?code=the-code&state={state}"
    response = await admin.post(
        "/link/finish", data={"uid": "kitchen", "redirect": pasted}, allow_redirects=False
    )
    assert response.status == 303
    assert registry.get("kitchen") is not None


async def test_spotify_out_of_reach_while_linking_is_a_clear_page(
    admin: Client, fake_spotify: Fake
) -> None:
    fake_spotify[0].codes.add("the-code")
    state = await start_link(admin)
    fake_spotify[0].token_queue.append(Reply(503, "<html>upstream down</html>"))
    pasted = f"http://127.0.0.1:8888/callback?code=the-code&state={state}"
    response = await admin.post("/link/finish", data={"uid": "kitchen", "redirect": pasted})
    assert response.status == 200
    page = await response.text()
    assert "Linking failed" in page
    assert "Spotify refused the code" in page
    assert 'action="finish"' in page


@pytest.mark.parametrize(
    ("path", "data", "headers", "status", "error"),
    [
        ("/link", b"uid=a", {"Content-Type": "multipart/form-data"}, 415, "unsupported_media_type"),
        (
            "/link/finish",
            b"uid=\xff",
            {"Content-Type": "application/x-www-form-urlencoded"},
            400,
            "invalid_encoding",
        ),
        (
            "/settings",
            b"uid=%ff",
            {"Content-Type": "application/x-www-form-urlencoded"},
            400,
            "invalid_encoding",
        ),
        ("/unlink", b"x" * 20_000, {"Content-Type": "text/plain"}, 413, "body_too_large"),
        ("/retry", b"{}", {"Content-Type": "application/json"}, 415, "unsupported_media_type"),
    ],
)
async def test_malformed_forms_get_json_errors(
    admin: Client, path: str, data: bytes, headers: dict[str, str], status: int, error: str
) -> None:
    response = await admin.post(path, data=data, headers=headers)
    assert response.status == status
    assert (await response.json())["error"] == error
    assert (await admin.get("/")).status == 200


async def test_settings_are_edited_in_the_ui(
    admin: Client, registry: AccountRegistry, aiohttp_client: ClientFactory
) -> None:
    form = await (await admin.get("/settings?uid=livingroom")).text()
    assert "<option selected>A00</option>" in form
    response = await admin.post(
        "/settings",
        data={
            "uid": "livingroom",
            "rom": "A02",
            "size": "20x4",
            "japanese": "katakana",
            "han_reading": "japanese",
            "overrides": "Paparazzi = Papa\n\n  Lady Gaga=Gaga  \n",
        },
        allow_redirects=False,
    )
    assert response.status == 303
    stored = await registry.store.get("livingroom")
    assert (stored.rom, stored.size, stored.japanese, stored.han_reading) == (
        "A02",
        "20x4",
        "katakana",
        "japanese",
    )
    assert stored.overrides == {"Paparazzi": "Papa", "Lady Gaga": "Gaga"}
    displays: DisplayClient = await aiohttp_client(DisplayTestServer(DisplayServer(registry)))
    body = await (
        await displays.post("/get", data={"uid": "livingroom", "key": "k3y-livingroom", "v": "2"})
    ).json()
    assert (body["rom"], body["cols"], body["title"], body["artist"]) == ("A02", 20, "Papa", "Gaga")


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("overrides", "no equals sign here", "override line 1"),
        ("overrides", "= empty source", "override line 1"),
        ("rom", "A03", "rom must be one of A00, A02, ascii"),
        ("size", "40x4", "size must be one of"),
    ],
)
async def test_bad_settings_are_explained_and_not_saved(
    admin: Client, registry: AccountRegistry, field: str, value: str, problem: str
) -> None:
    before = await registry.store.get("livingroom")
    response = await admin.post("/settings", data={"uid": "livingroom", field: value})
    assert response.status == 200
    assert problem in await response.text()
    assert await registry.store.get("livingroom") == before


async def test_unlink_in_the_ui(
    admin: Client, registry: AccountRegistry, aiohttp_client: ClientFactory
) -> None:
    page = await (await admin.get("/")).text()
    assert 'onclick="return confirm(&quot;Unlink livingroom?&quot;)"' in page
    response = await admin.post("/unlink", data={"uid": "livingroom"}, allow_redirects=False)
    assert response.status == 303
    assert registry.get("livingroom") is None
    with pytest.raises(AccountNotFoundError):
        await registry.store.get("livingroom")
    displays: DisplayClient = await aiohttp_client(DisplayTestServer(DisplayServer(registry)))
    assert (await displays.post("/get", data={"uid": "livingroom", "key": "x"})).status == 404
    again = await admin.post("/unlink", data={"uid": "livingroom"})
    assert "No account called" in await again.text()


async def test_retry_now_refreshes_and_polls_once_a_minute(
    admin: Client, registry: AccountRegistry, fake_spotify: Fake
) -> None:
    fake_spotify[0].player_queue.append(
        Reply(403, {"error": {"status": 403, "message": "Premium required"}})
    )
    runtime = registry.get("livingroom")
    assert runtime is not None
    await runtime.poller.poll_once()
    page = await (await admin.get("/")).text()
    assert "Spotify refuses this account (Premium required)" in page
    response = await admin.post("/retry", data={"uid": "livingroom"}, allow_redirects=False)
    assert response.status == 303
    assert fake_spotify[0].calls["token"] == 1
    await eventually(lambda: runtime.poller.snapshot.status.value == "ok")
    again = await admin.post("/retry", data={"uid": "livingroom"})
    assert "try again in" in await again.text()
    assert fake_spotify[0].calls["token"] == 1


async def test_spotify_unreachable_while_linking_is_a_clear_page(
    aiohttp_client: ClientFactory, file_store: FileTokenStore, http_session: aiohttp.ClientSession
) -> None:
    nowhere = f"http://localhost:{free_port()}"
    client = SpotifyClient(http_session, SpotifyEndpoints(f"{nowhere}/v1", nowhere), timeout=1.0)
    registry = AccountRegistry(file_store, client)
    await registry.start()
    try:
        admin = await aiohttp_client(
            create_admin_app(registry, ["127.0.0.1"], clock=time.monotonic)
        )
        state = await start_link(admin)
        pasted = f"http://127.0.0.1:8888/callback?code=the-code&state={state}"
        response = await admin.post("/link/finish", data={"uid": "kitchen", "redirect": pasted})
        assert response.status == 200
        page = await response.text()
        assert "Linking failed" in page
        assert "cannot reach Spotify" in page
    finally:
        await registry.stop()


async def test_a_uid_cannot_inject_script_into_the_page(
    admin: Client, registry: AccountRegistry, linked_account: Account
) -> None:
    uid = """x');alert(1);('"<b>"""
    await registry.store.put(linked_account.with_changes(uid=uid))
    await registry.sync()
    page = await (await admin.get("/")).text()
    assert "alert(1);('" not in page
    assert "<b>" not in page
    assert "return confirm(&quot;Unlink x&#x27;);alert(1);(&#x27;\\&quot;&lt;b&gt;?&quot;)" in page


async def test_forms_posted_from_another_site_are_refused(
    admin: Client, registry: AccountRegistry
) -> None:
    response = await admin.post(
        "/unlink", data={"uid": "livingroom"}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert (response.status, (await response.json())["error"]) == (403, "cross_site")
    assert registry.get("livingroom") is not None
