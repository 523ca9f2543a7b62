"""A bug met by a request is answered in JSON and logged, but never floods the log."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from spotifylcd.json_errors import json_errors

type Client = TestClient[web.Request, web.Application]


async def crash(_request: web.Request) -> web.Response:
    msg = "a bug"
    raise RuntimeError(msg)


async def test_a_bug_is_json_and_logged_once_in_full(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = web.Application(middlewares=[json_errors])
    app.router.add_get("/crash", crash)
    client = await aiohttp_client(app)
    for _ in range(50):
        response = await client.get("/crash")
        assert response.status == 500
        assert (await response.json())["error"] == "internal_error"
        assert "a bug" not in await response.text()
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert errors[0].exc_info is not None
