"""Helpers for servers the tests and benchmarks start on this machine's loopback address."""

from __future__ import annotations

import asyncio
import socket

import aiohttp


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
