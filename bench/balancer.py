"""A loopback TCP balancer for `bench/scale.py --processes N`: each connection to the next server.

A server that refuses the connection, or closes it without a byte of answer (killed while the
request was under way), is skipped and the request sent to the next one, as HAProxy does with
`retry-on conn-failure empty-response`. Run: python -m bench.balancer LISTEN_PORT BACKEND_PORT...
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import sys


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Copy until end of stream, then close the writing side."""
    with contextlib.suppress(ConnectionError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    with contextlib.suppress(ConnectionError, OSError):
        writer.close()


async def main() -> None:
    listen, *backends = (int(port) for port in sys.argv[1:])
    turns = itertools.count()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # A display's request comes in one segment; kept to be sent again if a server dies.
        request = await reader.read(65536)
        # Every server once, from this connection's turn on: other connections take turns
        # meanwhile, so a shared cycle could hand one connection the dead server three times.
        first_choice = next(turns) % len(backends)
        for port in backends[first_choice:] + backends[:first_choice]:
            try:
                upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", port)
                upstream_writer.write(request)
                first = await upstream_reader.read(65536)
            except OSError:
                continue
            if not first:
                upstream_writer.close()
                continue
            writer.write(first)
            await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))
            return
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", listen, backlog=1024)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
