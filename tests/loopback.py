"""Helpers for servers the tests and benchmarks start on this machine's loopback address."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import BaseTestServer, TestClient

if TYPE_CHECKING:
    from spotifylcd.server import DisplayServer

# A client of `DisplayTestServer`: its requests are aiohttp's low-level `BaseRequest`s.
type DisplayClient = TestClient[web.BaseRequest, None]
# The `aiohttp_client` fixture, as the display server's tests call it.
type DisplayClientFactory = Callable[[DisplayTestServer], Awaitable[DisplayClient]]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def wait_healthy(url: str, timeout: float = 30.0) -> None:
    """Wait until `GET {url}/healthz` answers 200 (bounded by `timeout`, not measured)."""
    async with aiohttp.ClientSession() as session, asyncio.timeout(timeout):
        while True:
            try:
                async with session.get(f"{url}/healthz") as health:
                    if health.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.05)


class DisplayTestServer(BaseTestServer):
    """A `DisplayServer` on localhost, as `spotify-lcd serve` runs it, for a test client."""

    def __init__(self, routes: DisplayServer) -> None:
        """Serve `routes` once started (by `aiohttp_client`, or `TestClient`)."""
        super().__init__(host="localhost")
        self._routes = routes

    async def _make_runner(self, **kwargs: Any) -> web.ServerRunner:
        return web.ServerRunner(self._routes.web_server(), **kwargs)
