"""The standalone display server: the legacy `/get` contract plus health and a status page.

It runs on aiohttp's low-level server. Six fixed routes need no application router,
middleware chain or signals, and skipping their work per request gives `/get` about 15 %
more throughput under load (`bench/get_load.py`).
"""

from __future__ import annotations

import html
import time
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import TYPE_CHECKING, Final

from aiohttp import HttpVersion11, hdrs, web

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
from .json_errors import JsonErrorServer, error_answer, http_error
from .pages import ANIMATE_PREVIEWS, displays_table, lcd_image, page, preview_response, state_cells

if TYPE_CHECKING:
    import asyncio

    from aiohttp import StreamReader
    from aiohttp.abc import AbstractStreamWriter
    from aiohttp.http import RawRequestMessage

    from .access import Network
    from .registry import AccountRegistry, AccountRuntime

# How long a display is asked to wait while the account store cannot be read.
STORE_RETRY_AFTER: Final = 5.0

type Handler = Callable[[web.BaseRequest], Awaitable[web.StreamResponse]]


class DisplayServer:
    """The display port's routes, answered from the registry's caches."""

    def __init__(
        self,
        registry: AccountRegistry,
        *,
        clock: Callable[[], float] = time.monotonic,
        throttle: BadKeyThrottle | None = None,
        trusted_proxies: tuple[Network, ...] = (),
        displays: DisplayLog | None = None,
    ) -> None:
        """Serve `registry`; the caller starts and stops it."""
        self._registry = registry
        self._clock = clock
        self._throttle = throttle or BadKeyThrottle()
        self._trusted_proxies = trusted_proxies
        self._displays = displays or DisplayLog(clock=clock)
        self._routes: dict[str, dict[str, Handler]] = {
            "/get": {hdrs.METH_POST: self.get},
            "/control": {hdrs.METH_POST: self.control},
            "/refresh": {hdrs.METH_POST: self.refresh},
            "/healthz": _readable(self.health),
            "/preview": _readable(self.preview),
            "/": _readable(self.home),
        }

    def web_server(self) -> web.Server:
        """These routes as aiohttp's low-level server, every refusal the contract's JSON.

        Made inside the running loop that will serve it.
        """
        return JsonErrorServer(self, request_factory=_display_request, access_log=None)

    async def __call__(self, request: web.BaseRequest) -> web.StreamResponse:
        """The answer of the request's route; every refusal and failure the contract's JSON.

        The errors are caught here rather than by `answers_json` around it: one coroutine
        less on the path of every `/get`.
        """
        try:
            methods = self._routes.get(request.path)
            if methods is None:
                return http_error(HTTPStatus.NOT_FOUND)
            handler = methods.get(request.method)
            if handler is None:
                return http_error(HTTPStatus.METHOD_NOT_ALLOWED)
            if request.headers.get(hdrs.EXPECT):
                await _expect(request)
            if self._trusted_proxies:
                # Behind a trusted reverse proxy, the client is who `X-Forwarded-For` names.
                remote = client_address(
                    request.remote,
                    request.headers.get(hdrs.X_FORWARDED_FOR),
                    self._trusted_proxies,
                )
                if remote is not None and remote != request.remote:
                    request = request.clone(remote=remote)
            return await handler(request)
        except Exception as err:  # noqa: BLE001 - the contract promises JSON, never a traceback
            return error_answer(request, err)

    async def get(self, request: web.BaseRequest) -> web.Response:
        """`POST /get`: the account's playback from the poller's cache, never waiting on Spotify."""
        get = await read_get_request(request)
        runtime = self._runtime(request, get.uid, get.key)
        self._displays.saw(get, request.remote)
        snapshot = runtime.poller.demand()
        body = get_body(get, runtime.account, snapshot, self._clock(), runtime.bodies)
        return web.Response(body=body, content_type="application/json", charset="utf-8")

    async def control(self, request: web.BaseRequest) -> web.Response:
        """`POST /control`: a display's button, sent to Spotify, then a poll before answering.

        So the very next `/get` of every display shows the result (a skip, a pause).
        """
        control = await read_control_request(request)
        runtime = self._lookup(request, control.uid)
        if runtime.tokens is None:
            raise RequestError(403, "controls_not_available", "the demo account has no player")
        authorise_control(runtime.account, control.key, request.remote, self._throttle)
        playback = runtime.poller.snapshot.playback
        try:
            await send_control(self._registry.client, runtime.tokens, control.action, playback)
        except SpotifyLCDError as err:
            raise refusal(err) from err
        await runtime.poller.poll_once()
        return web.json_response({"ok": True, "action": control.action.value})

    async def refresh(self, request: web.BaseRequest) -> web.Response:
        """`POST /refresh`: refresh the token and poll at once (after a fault cleared).

        It costs Spotify calls, so it needs the device key even for a keyless account, and
        runs at most once a minute per account (and never against Spotify's Retry-After).
        """
        fields = await read_fields(request)
        runtime = self._runtime(request, requested_uid(fields), fields.get("key"))
        if not runtime.public and not fields.get("key"):
            raise RequestError(401, "missing_key", "refreshing needs the device key (field key)")
        now = self._clock()
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

    async def health(self, _request: web.BaseRequest) -> web.Response:
        """`GET /healthz`: alive, how many accounts, and whether the store answers."""
        healthy = self._registry.store_error is None
        return web.json_response(
            {
                "status": "ok" if healthy else "degraded",
                "version": __version__,
                "accounts": len(self._registry.runtimes()),
                "store": "ok" if healthy else "unavailable",
            }
        )

    async def preview(self, request: web.BaseRequest) -> web.Response:
        """`GET /preview?uid=…&t=…`: the account's LCD as a PNG, `t` ms into the animation."""
        return preview_response(self._registry, request.query, self._clock())

    async def home(self, _request: web.BaseRequest) -> web.Response:
        """`GET /`: accounts (state and why, LCD), the displays polling; no secret."""
        registry = self._registry
        now = self._clock()
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
                "<p><strong>Account store unavailable:</strong> "
                f"{html.escape(registry.store_error)}"
            )
        body = (
            f"{store}<h2>Accounts</h2><table><tr><th>uid</th><th>state</th><th>now playing</th>"
            "<th>access</th><th>LCD</th></tr>"
            + ("".join(rows) or '<tr><td colspan="5">No account linked yet.</td></tr>')
            + "</table><h2>Displays</h2>"
            + displays_table(self._displays.recent(), now)
            + "<p>Displays poll <code>POST /get</code> with <code>uid</code>"
            " (and <code>key</code>). This page refreshes itself.</p>" + ANIMATE_PREVIEWS
        )
        return page(f"Spotify LCD {__version__}", body, refresh_seconds=15)

    def _runtime(self, request: web.BaseRequest, uid: str, key: str | None) -> AccountRuntime:
        runtime = self._lookup(request, uid)
        if not runtime.public:
            authorise(runtime.account, key, request.remote, self._throttle)
        return runtime

    def _lookup(self, request: web.BaseRequest, uid: str) -> AccountRuntime:
        """The account called `uid`: 404 (throttled) when unknown, 503 while the store is down."""
        runtime = self._registry.get(uid)
        if runtime is None:
            if self._registry.store_error is not None:
                raise RequestError(
                    503,
                    "store_unavailable",
                    "the account store cannot be read right now; try again shortly",
                    retry_after=STORE_RETRY_AFTER,
                )
            raise refuse_unknown_uid(uid, request.remote, self._throttle)
        return runtime


def _readable(handler: Handler) -> dict[str, Handler]:
    """A GET route, which answers HEAD too (aiohttp sends a HEAD answer without its body)."""
    return {hdrs.METH_GET: handler, hdrs.METH_HEAD: handler}


async def _expect(request: web.BaseRequest) -> None:
    """Tell a client waiting to send its body to go on, as aiohttp's router would."""
    if request.headers[hdrs.EXPECT].lower() != "100-continue":
        raise RequestError(417, "expectation_failed", "only Expect: 100-continue is understood")
    if request.version == HttpVersion11:
        await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        # The 100 is not the answer: an error may still be sent in its place.
        request.writer.output_size = 0


def _display_request(
    message: RawRequestMessage,
    payload: StreamReader,
    protocol: web.RequestHandler,
    writer: AbstractStreamWriter,
    task: asyncio.Task[None],
) -> web.BaseRequest:
    """A request whose body may be at most `MAX_BODY_BYTES`, not aiohttp's 1 MiB."""
    return web.BaseRequest(
        message, payload, protocol, writer, task, task.get_loop(), client_max_size=MAX_BODY_BYTES
    )
