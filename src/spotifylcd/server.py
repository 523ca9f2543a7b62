"""The standalone aiohttp server: the legacy `/get` contract plus health and a status page."""

from __future__ import annotations

import html
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Final

from aiohttp import web

from . import __version__
from .access import BadKeyThrottle, client_address
from .contract import (
    MAX_BODY_BYTES,
    RequestError,
    authorise,
    get_body,
    read_fields,
    read_get_request,
    refuse_unknown_uid,
    requested_uid,
)
from .control import send_control
from .control_request import authorise_control, read_control_request, refusal
from .displays import DisplayLog
from .exceptions import SpotifyLCDError
from .json_errors import answers_json, refuse_unknown_routes
from .pages import (
    ANIMATE_PREVIEWS,
    displays_table,
    elapsed_ms,
    lcd_image,
    page,
    preview_png,
    state_cells,
)
from .registry import AccountRegistry, AccountRuntime

if TYPE_CHECKING:
    from .access import Network

REGISTRY_KEY: Final = web.AppKey("registry", AccountRegistry)
THROTTLE_KEY: Final = web.AppKey("throttle", BadKeyThrottle)
CLOCK_KEY: Final = web.AppKey[Callable[[], float]]("clock")
DISPLAYS_KEY: Final = web.AppKey("displays", DisplayLog)
TRUSTED_PROXIES_KEY: Final = web.AppKey[tuple["Network", ...]]("trusted_proxies")
# How long a display is asked to wait while the account store cannot be read.
STORE_RETRY_AFTER: Final = 5.0

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def real_client(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Behind a trusted reverse proxy, the client is who `X-Forwarded-For` names."""
    proxies = request.app[TRUSTED_PROXIES_KEY]
    remote = client_address(request.remote, request.headers.get("X-Forwarded-For"), proxies)
    if remote is not None and remote != request.remote:
        request = request.clone(remote=remote)
    return await handler(request)


def _runtime(request: web.Request, uid: str, key: str | None) -> AccountRuntime:
    runtime = _lookup(request, uid)
    if not runtime.public:
        authorise(runtime.account, key, request.remote, request.app[THROTTLE_KEY])
    return runtime


def _lookup(request: web.Request, uid: str) -> AccountRuntime:
    """The account called `uid`: 404 (throttled) when unknown, 503 while the store is down."""
    registry = request.app[REGISTRY_KEY]
    runtime = registry.get(uid)
    if runtime is None:
        if registry.store_error is not None:
            raise RequestError(
                503,
                "store_unavailable",
                "the account store cannot be read right now; try again shortly",
                retry_after=STORE_RETRY_AFTER,
            )
        raise refuse_unknown_uid(uid, request.remote, request.app[THROTTLE_KEY])
    return runtime


async def handle_get(request: web.Request) -> web.Response:
    """`POST /get`: the account's playback from the poller's cache, never waiting on Spotify."""
    get = await read_get_request(request)
    runtime = _runtime(request, get.uid, get.key)
    app = request.app
    app[DISPLAYS_KEY].saw(
        get.uid, request.remote, get.version, get.rom.value if get.rom else None, get.size
    )
    body = get_body(get, runtime.account, runtime.poller.demand(), app[CLOCK_KEY](), runtime.bodies)
    return web.Response(body=body, content_type="application/json", charset="utf-8")


async def handle_control(request: web.Request) -> web.Response:
    """`POST /control`: a display's button, sent to Spotify, then a poll before answering.

    So the very next `/get` of every display shows the result (a skip, a pause).
    """
    control = await read_control_request(request)
    runtime = _lookup(request, control.uid)
    if runtime.tokens is None:
        raise RequestError(403, "controls_not_available", "the demo account has no player")
    authorise_control(runtime.account, control.key, request.remote, request.app[THROTTLE_KEY])
    playback = runtime.poller.snapshot.playback
    client = request.app[REGISTRY_KEY].client
    try:
        await send_control(client, runtime.tokens, control.action, playback)
    except SpotifyLCDError as err:
        raise refusal(err) from err
    await runtime.poller.poll_once()
    return web.json_response({"ok": True, "action": control.action.value})


async def handle_refresh(request: web.Request) -> web.Response:
    """`POST /refresh`: refresh the token and poll at once (after a fault cleared).

    It costs Spotify calls, so it needs the device key even for a keyless account, and
    runs at most once a minute per account (and never against Spotify's Retry-After).
    """
    fields = await read_fields(request)
    runtime = _runtime(request, requested_uid(fields), fields.get("key"))
    if not runtime.public and not fields.get("key"):
        raise RequestError(401, "missing_key", "refreshing needs the device key (field key)")
    now = request.app[CLOCK_KEY]()
    wait = runtime.retry_wait(now)
    if wait:
        raise RequestError(
            429, "too_soon", f"refreshed recently; try again in {wait:.0f} s", retry_after=wait
        )
    try:
        refreshed = await runtime.retry_now(now)
    except SpotifyLCDError as err:
        raise RequestError(502, "refresh_failed", str(err)) from err
    return web.json_response({"uid": runtime.uid, "refreshed": refreshed})


async def handle_health(request: web.Request) -> web.Response:
    """`GET /healthz`: alive, how many accounts, and whether the store answers."""
    registry = request.app[REGISTRY_KEY]
    healthy = registry.store_error is None
    return web.json_response(
        {
            "status": "ok" if healthy else "degraded",
            "version": __version__,
            "accounts": len(registry.runtimes()),
            "store": "ok" if healthy else "unavailable",
        }
    )


async def handle_preview(request: web.Request) -> web.Response:
    """`GET /preview?uid=…&t=…`: the account's LCD as a PNG, `t` ms into the animation."""
    runtime = request.app[REGISTRY_KEY].get(request.query.get("uid", ""))
    if runtime is None:
        raise RequestError(404, "unknown_uid", "no account by that uid")
    body = preview_png(runtime, request.app[CLOCK_KEY](), elapsed_ms(request))
    return web.Response(body=body, content_type="image/png", headers={"Cache-Control": "no-store"})


async def handle_home(request: web.Request) -> web.Response:
    """`GET /`: accounts (state and why, LCD), the displays polling; no secret."""
    registry = request.app[REGISTRY_KEY]
    now = request.app[CLOCK_KEY]()
    rows = []
    for runtime in registry.runtimes():
        access = (
            "open (demo)"
            if runtime.public
            else ("keyless (private network)" if runtime.account.keyless else "device key")
        )
        rows.append(
            f"<tr><td>{html.escape(runtime.uid)}</td>{state_cells(runtime, now)}"
            f"<td>{access}</td><td>{lcd_image(runtime.uid)}</td></tr>"
        )
    store = ""
    if registry.store_error is not None:
        store = (
            f"<p><strong>Account store unavailable:</strong> {html.escape(registry.store_error)}"
        )
    body = (
        f"{store}<h2>Accounts</h2><table><tr><th>uid</th><th>state</th><th>now playing</th>"
        "<th>access</th><th>LCD</th></tr>"
        + ("".join(rows) or '<tr><td colspan="5">No account linked yet.</td></tr>')
        + "</table><h2>Displays</h2>"
        + displays_table(request.app[DISPLAYS_KEY].recent(), now)
        + "<p>Displays poll <code>POST /get</code> with <code>uid</code> (and <code>key</code>)."
        " This page refreshes itself.</p>" + ANIMATE_PREVIEWS
    )
    return page(f"Spotify LCD {__version__}", body, refresh_seconds=15)


def create_app(
    registry: AccountRegistry,
    *,
    clock: Callable[[], float] = time.monotonic,
    throttle: BadKeyThrottle | None = None,
    trusted_proxies: tuple[Network, ...] = (),
    displays: DisplayLog | None = None,
) -> web.Application:
    """The app serving `registry`; the caller starts and stops the registry."""
    # Without a trusted proxy every request is its own client: no middleware to pass through.
    app = web.Application(
        middlewares=[real_client] if trusted_proxies else [], client_max_size=MAX_BODY_BYTES
    )
    app[REGISTRY_KEY] = registry
    app[THROTTLE_KEY] = throttle or BadKeyThrottle()
    app[CLOCK_KEY] = clock
    app[DISPLAYS_KEY] = displays or DisplayLog(clock=clock)
    app[TRUSTED_PROXIES_KEY] = trusted_proxies
    app.router.add_post("/get", answers_json(handle_get))
    app.router.add_post("/control", answers_json(handle_control))
    app.router.add_post("/refresh", answers_json(handle_refresh))
    app.router.add_get("/healthz", answers_json(handle_health))
    app.router.add_get("/preview", answers_json(handle_preview))
    app.router.add_get("/", answers_json(handle_home))
    refuse_unknown_routes(app)
    return app
