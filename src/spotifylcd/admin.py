"""The admin web UI (HA add-on ingress): accounts, device keys, live previews, linking.

It shows device keys and takes client secrets, so it answers only the addresses it is told
to trust (the add-on passes Home Assistant's ingress gateway) and is off by default. Links
are relative, so the pages work under ingress's changing path prefix.
"""

from __future__ import annotations

import asyncio
import html
import io
from typing import TYPE_CHECKING, Final

from aiohttp import web

from .contract import MAX_UID_LENGTH
from .exceptions import SpotifyLCDError
from .link import DEFAULT_REDIRECT_PORT, LinkOptions, PasteFlow, save_linked_account
from .payload import v2_payload
from .preview import render_png
from .server import CLOCK_KEY, REGISTRY_KEY

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterable

    from .registry import AccountRegistry

INGRESS_GATEWAY: Final = "172.30.32.2"
TRUSTED_KEY: Final = web.AppKey("trusted", frozenset[str])
FLOWS_KEY: Final = web.AppKey("flows", dict[str, tuple[PasteFlow, LinkOptions]])
KEYLESS_KEY: Final = web.AppKey("keyless", bool)
BACK: Final = '<a href=".">Back</a>'
# Redraw the LCD pictures every 2 s, so they follow the displays.
LIVE_PREVIEWS: Final = (
    "setInterval(()=>document.querySelectorAll('img.lcd').forEach("
    "i=>{i.src=i.src.split('?')[0]+'?t='+Date.now()}),2000)"
)
BACK_UP: Final = '<a href="../">Back</a>'

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def trusted_only(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse every address but the trusted ones (HA's ingress gateway)."""
    if request.remote not in request.app[TRUSTED_KEY]:
        return web.Response(
            status=403, text="the admin UI is reachable through Home Assistant only"
        )
    return await handler(request)


def _page(title: str, body: str) -> web.Response:
    return web.Response(
        content_type="text/html",
        text=(
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title><style>body{{font-family:sans-serif;margin:1.5em}}"
            "td,th{padding:.3em .8em;text-align:left;vertical-align:top}img{max-width:100%}"
            f"</style></head><body><h1>{html.escape(title)}</h1>{body}</body></html>"
        ),
    )


async def handle_index(request: web.Request) -> web.Response:
    """Every account: state, now playing, its device key and the LCD as it looks now."""
    rows = []
    for runtime in request.app[REGISTRY_KEY].runtimes():
        playback = runtime.poller.snapshot.playback
        playing = f"{playback.title} — {', '.join(playback.artists)}" if playback else ""
        key = runtime.account.device_key or "(none: keyless)"
        uid = html.escape(runtime.uid)
        rows.append(
            f"<tr><td>{uid}</td><td>{html.escape(runtime.poller.snapshot.status)}</td>"
            f"<td>{html.escape(playing)}</td><td><code>{html.escape(key)}</code></td>"
            f'<td><img class="lcd" alt="LCD of {uid}" src="preview/{uid}.png"></td></tr>'
        )
    table = "".join(rows) or '<tr><td colspan="5">No account linked yet.</td></tr>'
    return _page(
        "Spotify LCD",
        "<table><tr><th>uid</th><th>state</th><th>now playing</th><th>device key</th>"
        f"<th>LCD</th></tr>{table}</table>"
        "<h2>Link a Spotify account</h2>"
        "<p>Create an app in Spotify's developer dashboard and add the redirect URI "
        f"<code>http://127.0.0.1:{DEFAULT_REDIRECT_PORT}/callback</code>. Spotify allows plain "
        "http only for the loopback address, and ingress addresses change, so the browser will "
        "end on a page that does not load: you paste its address back here.</p>"
        '<form method="post" action="link">'
        '<label>Display uid <input name="uid" required maxlength="64"></label><br>'
        '<label>Client id <input name="client_id" required></label><br>'
        '<label>Client secret <input name="client_secret" type="password" required></label><br>'
        '<button type="submit">Continue to Spotify</button></form>'
        f"<script>{LIVE_PREVIEWS}</script>",
    )


async def handle_preview(request: web.Request) -> web.Response:
    """`preview/{uid}.png`: the account's LCD at this moment."""
    runtime = request.app[REGISTRY_KEY].get(request.match_info["uid"])
    if runtime is None:
        raise web.HTTPNotFound
    payload = v2_payload(
        runtime.poller.snapshot, request.app[CLOCK_KEY](), runtime.account.display_settings()
    )
    buffer = io.BytesIO()
    render_png(payload, buffer)
    return web.Response(body=buffer.getvalue(), content_type="image/png")


async def handle_link(request: web.Request) -> web.Response:
    """Start linking: remember the flow, send the user to Spotify, ask for the pasted URL."""
    form = await request.post()
    uid, client_id, secret = (
        str(form.get(name, "")).strip() for name in ("uid", "client_id", "client_secret")
    )
    if not (uid and client_id and secret) or len(uid) > MAX_UID_LENGTH or not uid.isprintable():
        return _page(
            "Spotify LCD", '<p>uid, client id and secret are all needed.</p><a href=".">Back</a>'
        )
    registry = request.app[REGISTRY_KEY]
    flow = PasteFlow(client_id, secret, DEFAULT_REDIRECT_PORT, registry.client.endpoints)
    options = LinkOptions(uid, client_id, secret, keyless=request.app[KEYLESS_KEY])
    request.app[FLOWS_KEY][uid] = (flow, options)
    url = html.escape(flow.authorize_url())
    return _page(
        f"Link {uid}",
        f'<p>1. <a href="{url}" target="_blank" rel="noopener">Open Spotify</a>, allow access.</p>'
        "<p>2. Copy the whole address of the page that fails to load, and paste it here:</p>"
        '<form method="post" action="link/finish">'
        f'<input type="hidden" name="uid" value="{html.escape(uid)}">'
        '<input name="redirect" size="80" required><button type="submit">Link</button></form>',
    )


async def handle_link_finish(request: web.Request) -> web.StreamResponse:
    """Trade the pasted redirect for tokens, store the account, serve it at once."""
    form = await request.post()
    uid = str(form.get("uid", ""))
    registry: AccountRegistry = request.app[REGISTRY_KEY]
    pending = request.app[FLOWS_KEY].pop(uid, None)
    if pending is None:
        return _page(
            "Spotify LCD", '<p>That attempt expired; start again.</p><a href="../">Back</a>'
        )
    flow, options = pending
    try:
        grant = await asyncio.to_thread(flow.exchange, str(form.get("redirect", "")))
        await save_linked_account(registry.store, registry.client, options, grant)
    except SpotifyLCDError as err:
        message = f"<p>Linking failed: {html.escape(str(err))}</p>"
        return _page("Spotify LCD", f"{message}{BACK_UP}")
    await registry.sync()
    raise web.HTTPFound("../")


def create_admin_app(
    registry: AccountRegistry,
    trusted: Iterable[str],
    *,
    keyless_links: bool = False,
    clock: Callable[[], float],
) -> web.Application:
    """The admin app for `registry`, answering only `trusted` addresses."""
    app = web.Application(middlewares=[trusted_only], client_max_size=16 * 1024)
    app[REGISTRY_KEY] = registry
    app[CLOCK_KEY] = clock
    app[TRUSTED_KEY] = frozenset(trusted)
    app[FLOWS_KEY] = {}
    app[KEYLESS_KEY] = keyless_links
    app.router.add_get("/", handle_index)
    app.router.add_get("/preview/{uid}.png", handle_preview)
    app.router.add_post("/link", handle_link)
    app.router.add_post("/link/finish", handle_link_finish)
    return app
