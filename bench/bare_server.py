"""Baseline for bench/get_load.py: a bare aiohttp handler answering POST /get with fixed bytes.

Run: bare_server.py PORT BODY [--uvloop]; with --uvloop on the event loop `serve` runs on.
"""

from __future__ import annotations

import sys

import uvloop
from aiohttp import web


def main() -> None:
    port, body = int(sys.argv[1]), sys.argv[2].encode()
    loop = uvloop.new_event_loop() if "--uvloop" in sys.argv[3:] else None

    async def handle(_request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="application/json")

    app = web.Application()
    app.router.add_post("/get", handle)
    app.router.add_get("/healthz", handle)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None, loop=loop)


if __name__ == "__main__":
    main()
