"""The `/get` contract (DESIGN section 3), shared by the standalone server and HA's view.

Parsing and checking a display's request, and building the body, live here so both
front ends answer byte for byte alike; each keeps only its own account lookup.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final
from urllib.parse import parse_qsl

from aiohttp import web

from .access import AccessDecision, BadKeyThrottle, check_key
from .hd44780.rom import Rom
from .screen import SIZES

if TYPE_CHECKING:
    from .account import Account
    from .payload import BodyCache
    from .status import Snapshot

MAX_BODY_BYTES: Final = 4096
MAX_UID_LENGTH: Final = 64
FORM_TYPES: Final = frozenset({"", "application/x-www-form-urlencoded", "text/plain"})
# Checked `/get` requests kept by their raw inputs: more than the displays of a big server,
# each small enough (a display's is under 100 bytes) that the whole stays a few MiB.
MAX_REMEMBERED: Final = 8192
MAX_REMEMBERED_BYTES: Final = 256


_CHECKED: Final[dict[tuple[str, bytes, str | None], GetRequest]] = {}


class RequestError(Exception):
    """A request we refuse, with the JSON error a display (or its developer) gets back."""

    def __init__(
        self, status: int, error: str, message: str, *, retry_after: float | None = None
    ) -> None:
        """Answer HTTP `status` with `{"error": error, "message": message}`.

        `retry_after` (seconds) becomes the `Retry-After` header of a 429 or 503.
        """
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.retry_after = retry_after

    def response(self) -> web.Response:
        """The JSON error response, with `Retry-After` when there is a wait."""
        headers = {}
        if self.retry_after is not None:
            headers["Retry-After"] = str(max(1, math.ceil(self.retry_after)))
        return error_response(self.status, self.error, self.message, headers)


def error_response(
    status: int, error: str, message: str, headers: dict[str, str] | None = None
) -> web.Response:
    """The JSON error body every failure uses; never a stack trace."""
    return web.json_response({"error": error, "message": message}, status=status, headers=headers)


@dataclass(frozen=True, slots=True)
class GetRequest:
    """A checked `/get` request: which account, which payload version, which display."""

    uid: str
    key: str | None
    version: str
    rom: Rom | None
    size: str | None


async def read_fields(request: web.BaseRequest) -> dict[str, str]:
    """Form fields from the body and the query string (body wins), strictly UTF-8."""
    body = _arrived_body(request) or await request.read()
    return _form_fields(
        request.rel_url.raw_query_string, body, request.headers.get("Content-Type"), request
    )


def _form_fields(
    query: str, body: bytes, header: str | None, request: web.BaseRequest
) -> dict[str, str]:
    """The fields of `body` and `query`; `header` is the request's Content-Type, if any."""
    # Old firmware may omit the header, and clients label empty bodies as they like. The
    # header as displays send it is accepted as is; aiohttp parses any other (a charset).
    content_type = (header or "") if body else ""
    if content_type not in FORM_TYPES:
        content_type = request.content_type
    if content_type not in FORM_TYPES:
        raise RequestError(
            415,
            "unsupported_media_type",
            f"send form fields (application/x-www-form-urlencoded), not {content_type}",
        )
    try:
        fields = dict(_parse_form(query)) if query else {}
        fields.update(_parse_form(body.decode("utf-8")))
    except (UnicodeDecodeError, ValueError) as err:
        raise RequestError(400, "invalid_encoding", "fields must be UTF-8 form encoding") from err
    return fields


def _arrived_body(request: web.BaseRequest) -> bytes:
    """The body when all of it is in, without the awaits of `read()`; else b"".

    Callers `await request.read()` when it is empty: the rest of the body, or b"" again.
    """
    content = request.content
    if not content.is_eof():
        return b""
    # A display's few bytes came in the same packet as the headers: take them, checking
    # `read()`'s size limit as it would.
    body = content.read_nowait()
    if len(body) > request.client_max_size:
        raise web.HTTPRequestEntityTooLarge(max_size=request.client_max_size, actual_size=len(body))
    return body


def _parse_form(text: str) -> list[tuple[str, str]]:
    if "%" in text or "+" in text:
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    # A display's body ("uid=den&v=2") has nothing to unquote: split it as parse_qsl would.
    fields = (pair.partition("=") for pair in text.split("&") if pair)
    return [(name, value) for name, _, value in fields]


async def read_get_request(request: web.BaseRequest) -> GetRequest:
    """Read and check the fields of a `/get` request; raises `RequestError`."""
    body = _arrived_body(request) or await request.read()
    # A display sends the same bytes every time: check them once. The check reads nothing
    # else of the request, so the answer is the same; refusals are not kept.
    raw = (request.rel_url.raw_query_string, body, request.headers.get("Content-Type"))
    checked = _CHECKED.get(raw)
    if checked is None:
        checked = _check_get(raw[0], body, raw[2], request)
        if len(raw[0]) + len(body) <= MAX_REMEMBERED_BYTES:
            if len(_CHECKED) >= MAX_REMEMBERED:
                del _CHECKED[next(iter(_CHECKED))]
            _CHECKED[raw] = checked
    return checked


def _check_get(query: str, body: bytes, header: str | None, request: web.BaseRequest) -> GetRequest:
    fields = _form_fields(query, body, header, request)
    version = fields.get("v", "1") or "1"
    if version not in ("1", "2"):
        raise RequestError(400, "unsupported_version", "v must be 1 (legacy) or 2")
    rom, size = fields.get("rom"), fields.get("size")
    try:
        parsed_rom = Rom(rom) if rom else None
    except ValueError as err:
        raise RequestError(400, "invalid_rom", "rom must be A00, A02 or ascii") from err
    if size and size not in SIZES:
        raise RequestError(400, "invalid_size", f"size must be one of {', '.join(SIZES)}")
    return GetRequest(requested_uid(fields), fields.get("key"), version, parsed_rom, size or None)


def requested_uid(fields: dict[str, str]) -> str:
    """The `uid` field, checked; raises 400 as `RequestError`."""
    uid = fields.get("uid", "").strip()
    if not uid:
        raise RequestError(400, "missing_uid", "the uid field is required")
    if len(uid) > MAX_UID_LENGTH or not uid.isprintable():
        raise RequestError(400, "invalid_uid", "uid must be printable and at most 64 characters")
    return uid


def unknown_uid(uid: str) -> RequestError:
    """The 404 for a uid no account has."""
    return RequestError(404, "unknown_uid", f"no account called {uid!r} is linked")


def refuse_unknown_uid(uid: str, remote: str | None, throttle: BadKeyThrottle) -> RequestError:
    """The 404 for an unknown uid, or 429 for a client that keeps trying unknown uids."""
    wait = throttle.retry_after(remote)
    if wait:
        return _too_many(wait)
    throttle.record_failure(remote)
    return unknown_uid(uid)


def authorise(
    account: Account, key: str | None, remote: str | None, throttle: BadKeyThrottle
) -> None:
    """Device key check (DESIGN section 6); raises 429, 401 or 403 as `RequestError`.

    The right key, and a keyless account's private-network client, always pass. A client
    refused too often for this account, or that keeps trying unknown uids, gets 429 with
    `Retry-After` instead of 401 or 403, so probing uids tells it nothing more.
    """
    decision = check_key(account.device_key, key, keyless=account.keyless, remote=remote)
    if decision is AccessDecision.ALLOWED:
        return
    wait = max(throttle.retry_after(remote, account.uid), throttle.retry_after(remote))
    if wait:
        raise _too_many(wait)
    if decision is AccessDecision.MISSING_KEY:
        raise RequestError(401, "missing_key", "this account needs its device key (field key)")
    throttle.record_failure(remote, account.uid)
    raise RequestError(403, "wrong_key", "the device key does not match")


def _too_many(wait: float) -> RequestError:
    return RequestError(
        429,
        "too_many_bad_keys",
        f"too many wrong keys or unknown uids from this address; try again in {math.ceil(wait)} s",
        retry_after=wait,
    )


def get_body(
    request: GetRequest, account: Account, snapshot: Snapshot, now: float, bodies: BodyCache
) -> bytes:
    """The JSON body for the request's version, from the account's caches only (no I/O)."""
    if request.version == "1":
        return bodies.v1(snapshot, now, account)
    return bodies.v2(snapshot, now, account, (request.rom, request.size))
