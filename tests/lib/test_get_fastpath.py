"""A `/get` request checked once by its raw bytes answers exactly as checking it again would."""

from __future__ import annotations

from unittest import mock

import pytest
from aiohttp import web
from aiohttp.streams import StreamReader
from aiohttp.test_utils import make_mocked_request
from hypothesis import given
from hypothesis import strategies as st

from spotifylcd import contract
from spotifylcd.contract import GetRequest, RequestError, read_get_request
from spotifylcd.hd44780.rom import Rom

# Few letters, so generated requests often repeat one another's bytes, with what matters:
# separators, escapes, non-ASCII, invalid UTF-8 once unquoted, the fields and their values.
FORM_PARTS = ("uid=den", "uid=", "uid=%20", "v=2", "v=3", "rom=A02", "rom=B", "size=20x4")
FORM_PARTS_ODD = ("size=9x9", "key=k", "&", "%ff", "+", "é", "=", "uid=\x07")
FORM = st.lists(st.sampled_from((*FORM_PARTS, *FORM_PARTS_ODD)), max_size=4).map("&".join)
CONTENT_TYPES = st.sampled_from(
    [
        None,
        "",
        "application/x-www-form-urlencoded",
        "text/plain",
        "application/x-www-form-urlencoded; charset=utf-8",
        "Text/Plain",
        "application/json",
    ]
)
REQUESTS = st.tuples(FORM, FORM.map(str.encode) | st.binary(max_size=6), CONTENT_TYPES)

type Raw = tuple[str, bytes, str | None]
type Outcome = GetRequest | tuple[int, str, str, float | None]


def request(raw: Raw) -> web.Request:
    """A request with this query string, body and Content-Type, its body all in."""
    query, body, content_type = raw
    payload = StreamReader(mock.Mock(_reading_paused=False), 2**16, loop=mock.Mock())
    payload.feed_data(body)
    payload.feed_eof()
    headers = {} if content_type is None else {"Content-Type": content_type}
    return make_mocked_request(
        "POST", f"/get?{query}" if query else "/get", headers=headers, payload=payload
    )


async def outcome(raw: Raw) -> Outcome:
    """The checked request, or the refusal as the display sees it."""
    try:
        return await read_get_request(request(raw))
    except RequestError as err:
        return (err.status, err.error, err.message, err.retry_after)


def uncached(raw: Raw) -> Outcome:
    """What checking the request's fields finds, nothing remembered."""
    req = request(raw)
    try:
        return contract._check_get(req.rel_url.raw_query_string, raw[1], raw[2], req)
    except RequestError as err:
        return (err.status, err.error, err.message, err.retry_after)


@given(st.lists(REQUESTS, max_size=12))
async def test_remembered_requests_answer_as_checking_them_again(raws: list[Raw]) -> None:
    contract._CHECKED.clear()
    assert [await outcome(raw) for raw in raws] == [uncached(raw) for raw in raws]


async def test_a_display_s_request_is_checked_once() -> None:
    contract._CHECKED.clear()
    raw = ("", b"uid=den&v=2&rom=A02", "application/x-www-form-urlencoded")
    first = await read_get_request(request(raw))
    assert await read_get_request(request(raw)) is first
    assert first == GetRequest("den", None, "2", Rom.A02, None)


async def test_refusals_are_not_remembered() -> None:
    contract._CHECKED.clear()
    for _ in range(2):
        with pytest.raises(RequestError, match="uid field is required"):
            await read_get_request(request(("", b"v=2", None)))
    assert contract._CHECKED == {}


async def test_what_is_remembered_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    contract._CHECKED.clear()
    monkeypatch.setattr(contract, "MAX_REMEMBERED", 3)
    for n in range(10):
        await read_get_request(request(("", f"uid=display{n}".encode(), None)))
    assert [raw[1] for raw in contract._CHECKED] == [
        b"uid=display7",
        b"uid=display8",
        b"uid=display9",
    ]
    big = b"uid=den&pad=" + b"x" * contract.MAX_REMEMBERED_BYTES
    assert (await read_get_request(request(("", big, None)))).uid == "den"
    assert all(raw[1] != big for raw in contract._CHECKED)
