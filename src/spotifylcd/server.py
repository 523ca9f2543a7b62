"""The standalone aiohttp server: the legacy `/get` contract plus health and a status page."""

from __future__ import annotations

import html
import json
import logging
import time
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Final
from urllib.parse import parse_qsl

from aiohttp import web

from . import __version__
from .access import AccessDecision, BadKeyThrottle, check_key
from .exceptions import SpotifyLCDError
from .hd44780.rom import Rom
from .payload import v1_payload, v2_payload
from .registry import AccountRegistry, AccountRuntime
from .screen import SIZES
from .source import SpotifyAccountSource

_LOGGER = logging.getLogger(__name__)
MAX_BODY_BYTES: Final = 4096
MAX_UID_LENGTH: Final = 64
FORM_TYPES: Final = frozenset({"", "application/x-www-form-urlencoded", "text/plain"})
REGISTRY_KEY: Final = web.AppKey("registry", AccountRegistry)
THROTTLE_KEY: Final = web.AppKey("throttle", BadKeyThrottle)
CLOCK_KEY: Final = web.AppKey[Callable[[], float]]("clock")

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class RequestError(Exception):
    """A request we refuse, with the JSON error a display (or its developer) gets back."""

    def __init__(self, status: int, error: str, message: str) -> None:
        """Answer HTTP `status` with `{"error": error, "message": message}`."""
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message


def error_response(status: int, error: str, message: str) -> web.Response:
    """The JSON error body every failure uses; never a stack trace."""
    return web.json_response({"error": error, "message": message}, status=status)


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


async def read_fields(request: web.Request) -> dict[str, str]:
    """Form fields from the body and the query string (body wins), strictly UTF-8."""
    body = await request.read()
    # Old firmware may omit the header, and clients label empty bodies as they like.
    content_type = request.content_type if body and "Content-Type" in request.headers else ""
    if content_type not in FORM_TYPES:
        raise RequestError(
            415,
            "unsupported_media_type",
            f"send form fields (application/x-www-form-urlencoded), not {content_type}",
        )
    try:
        fields = dict(_parse_form(request.rel_url.raw_query_string))
        fields.update(_parse_form(body.decode("utf-8")))
    except (UnicodeDecodeError, ValueError) as err:
        raise RequestError(400, "invalid_encoding", "fields must be UTF-8 form encoding") from err
    return fields


def _parse_form(text: str) -> list[tuple[str, str]]:
    return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")


def _authorised_runtime(request: web.Request, fields: dict[str, str]) -> AccountRuntime:
    uid = fields.get("uid", "").strip()
    if not uid:
        raise RequestError(400, "missing_uid", "the uid field is required")
    if len(uid) > MAX_UID_LENGTH or not uid.isprintable():
        raise RequestError(400, "invalid_uid", "uid must be printable and at most 64 characters")
    runtime = request.app[REGISTRY_KEY].get(uid)
    if runtime is None:
        raise RequestError(404, "unknown_uid", f"no account called {uid!r} is linked")
    if runtime.public:
        return runtime
    throttle = request.app[THROTTLE_KEY]
    if throttle.blocked(request.remote):
        raise RequestError(429, "too_many_bad_keys", "too many wrong keys; try again later")
    account = runtime.account
    decision = check_key(
        account.device_key, fields.get("key"), keyless=account.keyless, remote=request.remote
    )
    if decision is AccessDecision.MISSING_KEY:
        raise RequestError(401, "missing_key", "this account needs its device key (field key)")
    if decision is AccessDecision.WRONG_KEY:
        throttle.record_failure(request.remote)
        raise RequestError(403, "wrong_key", "the device key does not match")
    return runtime


async def handle_get(request: web.Request) -> web.Response:
    """`POST /get`: the account's playback from the poller's cache, never waiting on Spotify."""
    fields = await read_fields(request)
    version = fields.get("v", "1") or "1"
    if version not in ("1", "2"):
        raise RequestError(400, "unsupported_version", "v must be 1 (legacy) or 2")
    display = _display_fields(fields)
    runtime = _authorised_runtime(request, fields)
    snapshot = runtime.poller.demand()
    now = request.app[CLOCK_KEY]()
    if version == "1":
        payload = v1_payload(snapshot, now, runtime.account.text_settings())
        return web.json_response(payload, dumps=_compact_json)
    settings = runtime.account.display_settings(*display)
    body = _compact_json(v2_payload(snapshot, now, settings), ensure_ascii=False)
    return web.Response(text=body, content_type="application/json")


def _display_fields(fields: dict[str, str]) -> tuple[Rom | None, str | None]:
    """The display's own ROM and size, when it sends them (v2 firmware does)."""
    rom, size = fields.get("rom"), fields.get("size")
    try:
        parsed_rom = Rom(rom) if rom else None
    except ValueError as err:
        raise RequestError(400, "invalid_rom", "rom must be A00, A02 or ascii") from err
    if size and size not in SIZES:
        raise RequestError(400, "invalid_size", f"size must be one of {', '.join(SIZES)}")
    return parsed_rom, size or None


async def handle_refresh(request: web.Request) -> web.Response:
    """`POST /refresh`: force a token refresh for the account, then poll again at once."""
    runtime = _authorised_runtime(request, await read_fields(request))
    refreshed = False
    if isinstance(runtime.source, SpotifyAccountSource):
        try:
            await runtime.source.refresh()
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


def _compact_json(value: object, *, ensure_ascii: bool = True) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=ensure_ascii)


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
