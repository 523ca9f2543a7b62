"""The standalone aiohttp server: the legacy `/get` contract plus health and a status page."""

from __future__ import annotations

import html
import logging
import time
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Final

from aiohttp import web

from . import __version__
from .access import BadKeyThrottle
from .contract import (
    MAX_BODY_BYTES,
    RequestError,
    authorise,
    error_response,
    get_body,
    read_fields,
    read_get_request,
    requested_uid,
    unknown_uid,
)
from .exceptions import SpotifyLCDError
from .registry import AccountRegistry, AccountRuntime

_LOGGER = logging.getLogger(__name__)
REGISTRY_KEY: Final = web.AppKey("registry", AccountRegistry)
THROTTLE_KEY: Final = web.AppKey("throttle", BadKeyThrottle)
CLOCK_KEY: Final = web.AppKey[Callable[[], float]]("clock")

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


_HTTP_ERRORS: Final = {
    404: ("not_found", "no such endpoint"),
    405: ("method_not_allowed", "use POST for /get and /refresh"),
    413: ("body_too_large", f"request body over {MAX_BODY_BYTES} bytes"),
}


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn every refusal and unexpected failure into the contract's JSON error."""
    try:
        return await handler(request)
    except RequestError as err:
        return error_response(err.status, err.error, err.message)
    except web.HTTPException as err:
        if err.status < HTTPStatus.BAD_REQUEST:
            raise
        error, message = _HTTP_ERRORS.get(err.status, ("http_error", err.reason))
        return error_response(err.status, error, message)
    except Exception:
        _LOGGER.exception("unexpected error answering %s %s", request.method, request.path)
        return error_response(500, "internal_error", "the server failed; see its log")


def _runtime(request: web.Request, uid: str, key: str | None) -> AccountRuntime:
    runtime = request.app[REGISTRY_KEY].get(uid)
    if runtime is None:
        raise unknown_uid(uid)
    if not runtime.public:
        authorise(runtime.account, key, request.remote, request.app[THROTTLE_KEY])
    return runtime


async def handle_get(request: web.Request) -> web.Response:
    """`POST /get`: the account's playback from the poller's cache, never waiting on Spotify."""
    get = await read_get_request(request)
    runtime = _runtime(request, get.uid, get.key)
    body = get_body(get, runtime.account, runtime.poller.demand(), request.app[CLOCK_KEY]())
    return web.Response(text=body, content_type="application/json")


async def handle_refresh(request: web.Request) -> web.Response:
    """`POST /refresh`: force a token refresh for the account, then poll again at once."""
    fields = await read_fields(request)
    runtime = _runtime(request, requested_uid(fields), fields.get("key"))
    refreshed = False
    if runtime.tokens is not None:
        try:
            await runtime.tokens.refresh()
        except SpotifyLCDError as err:
            raise RequestError(502, "refresh_failed", str(err)) from err
        refreshed = True
    runtime.poller.poll_soon()
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


async def handle_home(request: web.Request) -> web.Response:
    """`GET /`: the linked accounts and their state, without any secret."""
    rows = []
    for runtime in request.app[REGISTRY_KEY].runtimes():
        snapshot = runtime.poller.snapshot
        playback = snapshot.playback
        now_playing = f"{playback.title} — {', '.join(playback.artists)}" if playback else ""
        access = (
            "open (demo)"
            if runtime.public
            else ("keyless (private network)" if runtime.account.keyless else "device key")
        )
        rows.append(
            "<tr>"
            + "".join(
                f"<td>{html.escape(cell)}</td>"
                for cell in (runtime.uid, snapshot.status, access, now_playing)
            )
            + "</tr>"
        )
    body = _HOME_PAGE.format(
        version=html.escape(__version__),
        rows="\n".join(rows) or '<tr><td colspan="4">No account linked yet.</td></tr>',
    )
    return web.Response(text=body, content_type="text/html")


_HOME_PAGE: Final = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Spotify LCD</title>
<style>body{{font-family:sans-serif;margin:2em}}td,th{{padding:.3em 1em;text-align:left}}</style>
</head><body><h1>Spotify LCD {version}</h1>
<table><tr><th>uid</th><th>state</th><th>access</th><th>now playing</th></tr>
{rows}
</table>
<p>Displays poll <code>POST /get</code> with <code>uid</code> (and <code>key</code>).</p>
</body></html>
"""


def create_app(
    registry: AccountRegistry,
    *,
    clock: Callable[[], float] = time.monotonic,
    throttle: BadKeyThrottle | None = None,
) -> web.Application:
    """The app serving `registry`; the caller starts and stops the registry."""
    app = web.Application(middlewares=[json_errors], client_max_size=MAX_BODY_BYTES)
    app[REGISTRY_KEY] = registry
    app[THROTTLE_KEY] = throttle or BadKeyThrottle()
    app[CLOCK_KEY] = clock
    app.router.add_post("/get", handle_get)
    app.router.add_post("/refresh", handle_refresh)
    app.router.add_get("/healthz", handle_health)
    app.router.add_get("/", handle_home)
    return app
