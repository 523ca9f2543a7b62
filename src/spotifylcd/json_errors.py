"""Every error the servers answer is the contract's JSON, even for HTTP aiohttp cannot parse."""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Final

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestHandler

from .contract import RequestError, error_response

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

_LOGGER = logging.getLogger(__name__)
# After its first traceback, a kind of unexpected failure is logged at most this often.
BUG_REPORT_INTERVAL: Final = 60.0

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


_HTTP_ERRORS: Final = {
    404: ("not_found", "no such endpoint"),
    405: ("method_not_allowed", "this endpoint does not take that method"),
    413: ("body_too_large", "the request body is too large"),
}


def http_error(status: int) -> web.Response:
    """The JSON error for a refusal aiohttp itself decided (no route, method, size, syntax)."""
    error, message = _HTTP_ERRORS.get(
        status, ("bad_request" if status == HTTPStatus.BAD_REQUEST else "http_error", "")
    )
    if not message:
        message = HTTPStatus(status).description if status in HTTPStatus else "refused"
    return error_response(status, error, message)


class _BugReports:
    """An unexpected failure is logged in full once per kind, then at most once a minute.

    Anyone can send requests: one that found a bug must not flood the log with tracebacks.
    """

    def __init__(self) -> None:
        self._last: dict[str, float] = {}

    def report(self, request: web.BaseRequest, error: Exception) -> None:
        kind = type(error).__name__
        now = time.monotonic()
        last = self._last.get(kind)
        if last is None:
            _LOGGER.error(
                "unexpected error answering %s %s",
                request.method,
                request.path,
                exc_info=error,
            )
        elif now - last >= BUG_REPORT_INTERVAL:
            _LOGGER.error(
                "unexpected %s answering %s %s (again)", kind, request.method, request.path
            )
        else:
            return
        self._last[kind] = now


_BUGS: Final = _BugReports()


def answers_json[R: web.BaseRequest](
    handler: Callable[[R], Awaitable[web.StreamResponse]],
) -> Callable[[R], Awaitable[web.StreamResponse]]:
    """`handler`, with every refusal and unexpected failure answered as the contract's JSON.

    Around an app's handling in `JsonErrorRunner`: what no route can be matched against
    (CONNECT's authority form) never reaches a middleware.
    """

    @functools.wraps(handler)
    async def answer(request: R) -> web.StreamResponse:
        try:
            return await handler(request)
        except Exception as err:  # noqa: BLE001 - the contract promises JSON, never a traceback
            return error_answer(request, err)

    return answer


def error_answer(request: web.BaseRequest, error: Exception) -> web.StreamResponse:
    """The contract's JSON for `error`, raised answering `request`; a redirect is raised on."""
    if isinstance(error, RequestError):
        return error.response()
    if isinstance(error, web.HTTPException):
        if error.status < HTTPStatus.BAD_REQUEST:
            raise error
        return http_error(error.status)
    if isinstance(error, HttpProcessingError):
        # The body broke off or was garbled (bad chunking): a client fault, not ours.
        return error_response(400, "bad_request", "the request body is not valid HTTP")
    if isinstance(error, ConnectionResetError):
        _LOGGER.debug("%s left before sending its whole request", request.remote)
        return error_response(400, "incomplete_request", "the client closed the connection")
    _BUGS.report(request, error)
    return error_response(500, "internal_error", "the server failed; see its log")


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """`answers_json` for every route of an app, aiohttp's own refusals (404, 405) included."""
    return await answers_json(handler)(request)


class _JsonErrorHandler(RequestHandler):
    """aiohttp's connection handler, answering HTTP it cannot parse with the JSON error.

    aiohttp answers a request it cannot parse (unknown method, bad request line or header)
    before any middleware runs, in plain text that quotes the request, and logs it at ERROR
    with a traceback (aio-libs/aiohttp#3287); `handle_error` and `log_exception` are the
    hooks it offers.
    """

    def log_exception(self, *args: Any, **kw: Any) -> None:  # noqa: ANN401 - logging's
        """A client's garbled or abandoned request is no fault of ours: DEBUG, not ERROR."""
        if isinstance(kw.get("exc_info"), HttpProcessingError | ConnectionError):
            self.logger.debug(*args, **kw)
        else:
            super().log_exception(*args, **kw)

    def handle_error(
        self,
        request: web.BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,  # noqa: ARG002 - aiohttp's text, which quotes the request
    ) -> web.StreamResponse:
        """The contract's JSON error; a client's malformed request is no reason to log."""
        if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
            self.logger.error("unexpected error handling a request", exc_info=exc)
        else:
            self.logger.debug("unparsable request from %s: %s", request.remote, exc)
        if request.writer.output_size > 0:
            msg = "response already started; cannot send the error"
            raise ConnectionError(msg)
        response = http_error(status)
        response.force_close()
        return response


class JsonErrorServer(web.Server):
    """`web.Server` whose connections use `_JsonErrorHandler`."""

    def __call__(self) -> RequestHandler:
        """A connection's handler."""
        return _JsonErrorHandler(self, loop=self._loop, **self._kwargs)


class JsonErrorRunner(web.AppRunner):
    """An `AppRunner` whose every error, even for unparsable HTTP, is the JSON contract's."""

    async def _make_server(self) -> web.Server:
        # aiohttp offers no public way to choose the connection handler: rebuild its server
        # with the same settings (aio-libs/aiohttp#3287).
        server = await super()._make_server()
        # Around the app too: what no route can be matched against (CONNECT's authority
        # form) is refused by aiohttp before any route or middleware runs.
        return JsonErrorServer(
            answers_json(server.request_handler),
            request_factory=server.request_factory,
            handler_cancellation=server.handler_cancellation,
            loop=asyncio.get_running_loop(),
            **server._kwargs,  # noqa: SLF001
        )
