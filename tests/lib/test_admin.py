"""The add-on's admin UI: trusted addresses only, accounts and keys, previews, linking."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Awaitable, Callable
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from PIL import Image

from spotifylcd.admin import create_admin_app
from spotifylcd.registry import AccountRegistry
from spotifylcd.spotify import SpotifyEndpoints
from tests.fake_spotify import CLIENT_ID, CLIENT_SECRET, FakeSpotify

type Fake = tuple[FakeSpotify, SpotifyEndpoints]
type Client = TestClient[web.Request, web.Application]
type ClientFactory = Callable[[web.Application], Awaitable[Client]]


@pytest.fixture
async def admin(aiohttp_client: ClientFactory, registry: AccountRegistry) -> Client:
    return await aiohttp_client(create_admin_app(registry, ["127.0.0.1"], clock=time.monotonic))


async def test_untrusted_addresses_are_refused(
    aiohttp_client: ClientFactory, registry: AccountRegistry
) -> None:
    client = await aiohttp_client(create_admin_app(registry, ["172.30.32.2"], clock=time.monotonic))
    for path in ("/", "/preview/livingroom.png"):
        assert (await client.get(path)).status == 403
    assert (await client.post("/link", data={})).status == 403


async def test_index_lists_accounts_with_their_keys_and_previews(admin: Client) -> None:
    page = await (await admin.get("/")).text()
    assert "livingroom" in page
    assert "k3y-livingroom" in page  # the trusted UI is where users read the key
    assert 'src="preview/livingroom.png"' in page  # relative: works under ingress's prefix
    assert "setInterval" in page  # the previews refresh themselves
    assert "test-client-secret" not in page
    assert "access-0" not in page


async def test_preview_is_the_lcd_as_a_png(admin: Client) -> None:
    response = await admin.get("/preview/livingroom.png")
    assert (response.status, response.content_type) == (200, "image/png")
    with Image.open(io.BytesIO(await response.read())) as image:
        assert image.format == "PNG"
    assert (await admin.get("/preview/nobody.png")).status == 404


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
    assert (response.status, response.headers["Location"]) == (302, "../")
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
