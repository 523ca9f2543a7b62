"""`spotify-lcd serve`: the standalone `/get` server, its pollers and the admin UI."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import signal
import time
from typing import TYPE_CHECKING

import aiohttp
from aiohttp import web

from ..access import BadKeyThrottle
from ..displays import DisplayLog
from ..exceptions import SpotifyLCDError
from ..json_errors import JsonErrorRunner
from ..poller import PollPolicy
from ..registry import AccountRegistry
from ..server import DisplayServer
from ..spotify import SpotifyClient
from ..store import default_location, is_mongodb_uri
from . import store_of

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    from ..cluster import Cluster
    from ..store import TokenStore

_LOGGER = logging.getLogger("spotifylcd")
LISTEN_BACKLOG = 1024


def run(args: argparse.Namespace) -> None:
    """Serve until SIGINT or SIGTERM."""
    asyncio.run(serve(args), loop_factory=event_loop_factory())


def event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """The event loop of uvloop where it is installed: a `/get` costs 40 % less CPU on it."""
    try:
        import uvloop  # noqa: PLC0415 - not on every platform (see pyproject.toml)
    except ImportError:
        return None
    return uvloop.new_event_loop


async def serve(args: argparse.Namespace) -> None:
    """Run the server until SIGINT/SIGTERM; refuse to start on a store it cannot read."""
    if args.admin_port and not args.admin_trust:
        msg = "--admin-port needs at least one --admin-trust ADDRESS allowed to use the admin UI"
        raise SpotifyLCDError(msg)
    policy = PollPolicy(playing_interval=args.poll_interval, jitter=args.poll_jitter)
    displays = DisplayLog()
    async with contextlib.AsyncExitStack() as stack:
        store = store_of(args)
        stack.push_async_callback(store.close)
        # No pool limit: each account has at most one call to Spotify in flight, so the
        # accounts bound it; aiohttp's default of 100 queued thousands of accounts' polls.
        connector = aiohttp.TCPConnector(limit=0)
        session = await stack.enter_async_context(aiohttp.ClientSession(connector=connector))
        registry = AccountRegistry(store, SpotifyClient(session), policy, demo=args.demo)
        throttle = BadKeyThrottle()
        cluster = _cluster_of(args, store, registry, throttle)
        await registry.start()
        stack.push_async_callback(registry.stop)
        if cluster is not None:
            await cluster.start()
            stack.push_async_callback(cluster.stop)
        server = DisplayServer(
            registry,
            throttle=throttle,
            trusted_proxies=tuple(args.trusted_proxy),
            displays=displays,
        ).web_server()
        await _listen(stack, web.ServerRunner(server), args.host, args.port, "--port")
        if args.admin_port:
            # The admin UI's linking flow brings spotipy and requests: only when it is served.
            from ..admin import create_admin_app  # noqa: PLC0415

            admin = create_admin_app(
                registry,
                args.admin_trust,
                keyless_links=args.keyless_links,
                clock=time.monotonic,
                displays=displays,
            )
            runner = JsonErrorRunner(admin, access_log=None)
            await _listen(stack, runner, args.host, args.admin_port, "--admin-port")
        _LOGGER.info(
            "serving %d account(s) on http://%s:%d/ (POST /get)",
            len(registry.runtimes()),
            args.host,
            args.port,
        )
        await _wait_for_signal()


def _cluster_of(
    args: argparse.Namespace,
    store: TokenStore,
    registry: AccountRegistry,
    throttle: BadKeyThrottle,
) -> Cluster | None:
    """With MongoDB, servers on the same database share the accounts instead of all polling."""
    if not is_mongodb_uri(args.store or default_location()):
        return None
    # pymongo is imported only for a MongoDB store.
    from ..cluster import Cluster  # noqa: PLC0415
    from ..store.mongodb import MongoTokenStore  # noqa: PLC0415

    if not isinstance(store, MongoTokenStore):
        return None
    cluster = Cluster(store, registry, throttle, lease_period=args.lease_period)
    registry.leads = cluster.leads
    return cluster


async def _listen(
    stack: contextlib.AsyncExitStack, runner: web.BaseRunner, host: str, port: int, option: str
) -> None:
    """Serve `runner` on host:port until `stack` closes; a failure names what to change."""
    await runner.setup()
    stack.push_async_callback(runner.cleanup)
    try:
        # Displays open a connection per request: during a short stall of the loop, aiohttp's
        # default backlog (128) would drop connects, each costing its display a 1 s retry.
        await web.TCPSite(runner, host, port, backlog=LISTEN_BACKLOG).start()
    except OSError as err:
        reason = "the port is in use" if err.errno == errno.EADDRINUSE else err.strerror or err
        msg = (
            f"cannot listen on {host} port {port}: {reason}; choose a free {option} "
            "and a --host that is an address of this machine"
        )
        raise SpotifyLCDError(msg) from err


async def _wait_for_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
