"""The `spotify-lcd` command: serve, link, manage accounts, preview (DESIGN section 2)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import json
import logging
import os
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Final, NoReturn, TextIO

import aiohttp
from aiohttp import web

from . import __version__
from .access import parse_networks
from .admin import create_admin_app
from .displays import DisplayLog
from .exceptions import (
    AccountNotFoundError,
    SpotifyLCDError,
    SpotifyReauthRequiredError,
    SpotifyUnavailableError,
    StoreConflictError,
    StoreCorruptError,
    StoreError,
    StoreUnavailableError,
)
from .hd44780.rom import Rom
from .json_errors import JsonErrorRunner
from .link import DEFAULT_REDIRECT_PORT, LinkOptions, PasteFlow, save_linked_account
from .payload import v1_payload, v2_payload
from .playback import Playback
from .poller import DEFAULT_JITTER, DEFAULT_PLAYING_INTERVAL, PollPolicy
from .preview import BACKLIGHTS, render_png, text_frames
from .registry import AccountRegistry
from .screen import SIZES
from .server import create_app
from .settings import DisplaySettings
from .spotify import SpotifyClient, SpotifyEndpoints, TokenGrant
from .status import AccountStatus, Snapshot
from .store import MongoTokenStore, TokenStore, default_location, is_mongodb_uri, open_store
from .store.mongodb import DEFAULT_COLLECTION, DEFAULT_DATABASE
from .text import HanReading, JapaneseMode, TextSettings, load_tables

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from .access import Network

_LOGGER = logging.getLogger("spotifylcd")
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
MAX_PORT = 65535

# What to do about a failure, by kind (the first that matches); the error says what is wrong.
ADVICE: Final[tuple[tuple[type[Exception], str], ...]] = (
    (AccountNotFoundError, "check --uid and --store, or link the account first"),
    (StoreConflictError, "another program changed it meanwhile; run the command again"),
    (StoreCorruptError, "repair it or restore it from a backup"),
    (StoreUnavailableError, "check that the MongoDB server in --store runs and is reachable"),
    (StoreError, "give --store a directory this user may read and write, or a mongodb:// URI"),
    (
        SpotifyReauthRequiredError,
        "check --client-id and --client-secret, or link without --refresh-token",
    ),
    (SpotifyUnavailableError, "check this machine's network connection, then try again"),
)


class OneLineErrorParser(argparse.ArgumentParser):
    """Reports a usage error in one line pointing at --help, not the whole usage text."""

    def error(self, message: str) -> NoReturn:
        """Exit 2 with `message` on stderr."""
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}; see {self.prog} --help\n")


# MongoDB refuses these in database names (and `$` in collection names).
DATABASE_NAME_FORBIDDEN: Final = frozenset('/\\. "$\x00')
MAX_DATABASE_NAME = 63


def database_name(text: str) -> str:
    """A MongoDB database name as MongoDB accepts it."""
    if not text or len(text.encode()) > MAX_DATABASE_NAME or DATABASE_NAME_FORBIDDEN & set(text):
        msg = f'{text!r} is not a MongoDB database name (1-63 bytes, none of / \\ . " $)'
        raise argparse.ArgumentTypeError(msg)
    return text


def collection_name(text: str) -> str:
    """A MongoDB collection name as MongoDB accepts it."""
    if not text or "$" in text or "\x00" in text or text.startswith("system."):
        msg = f"{text!r} is not a MongoDB collection name (not empty, no $, not system.*)"
        raise argparse.ArgumentTypeError(msg)
    return text


def network(text: str) -> Network:
    """An address or network for --trusted-proxy, checked here so a typo stops the start."""
    try:
        return parse_networks([text])[0]
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from err


def port_number(text: str) -> int:
    """A TCP port from the command line (0 is refused: it would listen on a random one)."""
    if not (text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_PORT):
        msg = f"{text!r} is not a port number from 1 to {MAX_PORT}"
        raise argparse.ArgumentTypeError(msg)
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, separate so tests and docs can inspect it."""
    parser = OneLineErrorParser(prog="spotify-lcd", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING"])
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the standalone /get server")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=port_number, default=5000)
    _add_store_option(serve)
    serve.add_argument("--demo", action="store_true", help="add the simulated 'demo' account")
    serve.add_argument(
        "--poll-interval",
        type=float,
        default=DEFAULT_PLAYING_INTERVAL,
        help="seconds between Spotify polls while playing",
    )
    serve.add_argument(
        "--poll-jitter",
        type=float,
        default=DEFAULT_JITTER,
        help="random extra delay per poll, as a fraction of it (spreads many accounts out)",
    )

    serve.add_argument(
        "--admin-port", type=port_number, help="also serve the admin UI (device keys, linking) here"
    )
    serve.add_argument(
        "--admin-trust",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="address allowed to use the admin UI (the add-on passes HA's ingress gateway)",
    )
    serve.add_argument(
        "--keyless-links",
        action="store_true",
        help="accounts linked in the admin UI use legacy keyless mode",
    )
    serve.add_argument(
        "--trusted-proxy",
        action="append",
        default=[],
        type=network,
        metavar="ADDRESS",
        help="a reverse proxy (address or network) whose X-Forwarded-For names the real client",
    )

    link = commands.add_parser("link", help="link a Spotify account (headless)")
    link.add_argument("--uid", required=True, help="the name displays send as uid")
    link.add_argument("--client-id", default=os.environ.get("SPOTIFY_LCD_CLIENT_ID"))
    link.add_argument("--client-secret", default=os.environ.get("SPOTIFY_LCD_CLIENT_SECRET"))
    link.add_argument("--refresh-token", help="import this refresh token instead of authorizing")
    link.add_argument("--keyless", action="store_true", help="legacy firmware: no device key")
    link.add_argument("--redirect-port", type=port_number, default=DEFAULT_REDIRECT_PORT)
    _add_store_option(link)

    accounts = commands.add_parser("accounts", help="list the linked accounts")
    accounts.add_argument(
        "--show-keys", action="store_true", help="also print each account's device key"
    )
    _add_store_option(accounts)

    unlink = commands.add_parser("unlink", help="forget an account and its Spotify tokens")
    unlink.add_argument("--uid", required=True)
    _add_store_option(unlink)

    settings = commands.add_parser("settings", help="show or change an account's display settings")
    settings.add_argument("--uid", required=True)
    settings.add_argument("--rom", choices=[rom.value for rom in Rom])
    settings.add_argument("--size", choices=list(SIZES))
    settings.add_argument("--japanese", choices=[mode.value for mode in JapaneseMode])
    settings.add_argument(
        "--han-reading", choices=[r.value for r in HanReading if r is not HanReading.KOREAN]
    )
    settings.add_argument(
        "--override",
        action="append",
        default=[],
        metavar="SOURCE=SHOWN",
        help="show SOURCE (exact title, artist or album) as SHOWN; SHOWN empty removes it",
    )
    _add_store_option(settings)

    preview = commands.add_parser(
        "preview", help="show what /get answers, or the LCD, for playback JSON on stdin"
    )
    preview.add_argument("--format", choices=["v1", "v2", "text", "png"], default="v1")
    preview.add_argument("--rom", choices=[rom.value for rom in Rom], default=Rom.A00.value)
    preview.add_argument("--size", choices=list(SIZES), default="16x2")
    preview.add_argument("--out", type=Path, help="PNG file to write (--format png)")
    preview.add_argument("--country", default="", help="the account's Spotify country, e.g. JP")
    preview.add_argument(
        "--han-reading",
        choices=[r.value for r in HanReading if r is not HanReading.KOREAN],
        default=HanReading.AUTO.value,
    )
    preview.add_argument(
        "--japanese",
        choices=[mode.value for mode in JapaneseMode],
        default=JapaneseMode.ROMAJI.value,
    )
    preview.add_argument(
        "--at", type=float, default=0.0, help="seconds after the fetch to draw (png)"
    )
    preview.add_argument("--backlight", choices=list(BACKLIGHTS), default="green")
    return parser


def _add_store_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        default=None,
        help="data directory or mongodb:// URI (default: $SPOTIFY_LCD_DATA or "
        f"{default_location()})",
    )
    parser.add_argument(
        "--mongodb-database",
        type=database_name,
        default=DEFAULT_DATABASE,
        help=f"with a mongodb:// --store: the database (default: {DEFAULT_DATABASE})",
    )
    parser.add_argument(
        "--mongodb-collection",
        type=collection_name,
        default=DEFAULT_COLLECTION,
        help=f"with a mongodb:// --store: the collection (default: {DEFAULT_COLLECTION})",
    )


def store_of(args: argparse.Namespace) -> TokenStore:
    """The store `--store` (and the MongoDB database and collection options) names."""
    location = args.store or default_location()
    if is_mongodb_uri(location):
        return MongoTokenStore(location, args.mongodb_database, args.mongodb_collection)
    return open_store(location)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script: 0, or 2 and one line on stderr saying what to do."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # spotipy logs request headers (client secret) and bodies (codes) at DEBUG.
    logging.getLogger("spotipy").setLevel(logging.WARNING)
    try:
        _run(args)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except (SpotifyLCDError, OSError) as err:
        print(f"spotify-lcd: error: {failure_message(err)}", file=sys.stderr)
        return EXIT_USAGE
    return 0


def _run(args: argparse.Namespace) -> None:
    if args.command == "serve":
        asyncio.run(serve(args))
    elif args.command == "link":
        asyncio.run(link(args, input_line=input, out=sys.stdout))
    elif args.command == "settings":
        asyncio.run(change_settings(args, sys.stdout))
    elif args.command == "accounts":
        asyncio.run(list_accounts(args, sys.stdout))
    elif args.command == "unlink":
        asyncio.run(unlink(args, sys.stdout))
    else:
        preview(args, sys.stdin, sys.stdout)


def failure_message(err: Exception) -> str:
    """One line: what went wrong, then what to do about it when `ADVICE` knows."""
    what = " ".join(str(err).split())
    advice = next((text for kind, text in ADVICE if isinstance(err, kind)), "")
    return f"{what}; {advice}" if advice else what


async def serve(args: argparse.Namespace) -> None:
    """Run the server until SIGINT/SIGTERM; refuse to start on a store it cannot read."""
    if args.admin_port and not args.admin_trust:
        msg = "--admin-port needs at least one --admin-trust ADDRESS allowed to use the admin UI"
        raise SpotifyLCDError(msg)
    started = time.monotonic()
    await asyncio.to_thread(load_tables)
    _LOGGER.info("text tables loaded in %.2f s", time.monotonic() - started)
    policy = PollPolicy(playing_interval=args.poll_interval, jitter=args.poll_jitter)
    displays = DisplayLog()
    async with contextlib.AsyncExitStack() as stack:
        store = store_of(args)
        stack.push_async_callback(store.close)
        session = await stack.enter_async_context(aiohttp.ClientSession())
        registry = AccountRegistry(store, SpotifyClient(session), policy, demo=args.demo)
        await registry.start()
        stack.push_async_callback(registry.stop)
        app = create_app(registry, trusted_proxies=tuple(args.trusted_proxy), displays=displays)
        await _listen(stack, app, args.host, args.port, "--port")
        if args.admin_port:
            admin = create_admin_app(
                registry,
                args.admin_trust,
                keyless_links=args.keyless_links,
                clock=time.monotonic,
                displays=displays,
            )
            await _listen(stack, admin, args.host, args.admin_port, "--admin-port")
        _LOGGER.info(
            "serving %d account(s) on http://%s:%d/ (POST /get)",
            len(registry.runtimes()),
            args.host,
            args.port,
        )
        await _wait_for_signal()


async def _listen(
    stack: contextlib.AsyncExitStack, app: web.Application, host: str, port: int, option: str
) -> None:
    """Serve `app` on host:port until `stack` closes; a failure names what to change."""
    runner = JsonErrorRunner(app, access_log=None)
    await runner.setup()
    stack.push_async_callback(runner.cleanup)
    try:
        await web.TCPSite(runner, host, port).start()
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


async def link(args: argparse.Namespace, *, input_line: Callable[[str], str], out: TextIO) -> None:
    """Link `--uid` by refresh-token import or the paste-the-redirect flow; print its key."""
    store = store_of(args)
    endpoints = SpotifyEndpoints.from_env()
    try:
        client_id, client_secret = await _credentials(args, store)
        options = LinkOptions(args.uid, client_id, client_secret, keyless=args.keyless)
        async with aiohttp.ClientSession() as session:
            client = SpotifyClient(session, endpoints)
            grant: TokenGrant
            if args.refresh_token:
                grant = await client.refresh_access_token(
                    client_id, client_secret, args.refresh_token
                )
            else:
                flow = PasteFlow(client_id, client_secret, args.redirect_port, endpoints)
                print(
                    "1. In your Spotify app's settings, add the redirect URI\n"
                    f"   http://127.0.0.1:{args.redirect_port}/callback\n"
                    "2. Open this address in a browser and allow access:\n"
                    f"   {flow.authorize_url()}\n"
                    "3. The browser ends on a page that fails to load; copy its whole address.",
                    file=out,
                )
                pasted = await asyncio.to_thread(input_line, "Paste the address here: ")
                grant = await asyncio.to_thread(flow.exchange, pasted)
            account = await save_linked_account(store, client, options, grant)
    finally:
        await store.close()
    print(
        f"Linked {account.uid!r} to Spotify user {account.spotify_user_id!r}.\n"
        f"Device key: {account.device_key}\n"
        + (
            "Keyless legacy mode is on (private-network clients only).\n" if account.keyless else ""
        ),
        file=out,
    )


async def change_settings(args: argparse.Namespace, out: TextIO) -> None:
    """Apply the given display settings to `--uid` (compare-and-set), then print them all."""
    store = store_of(args)
    try:
        account = await store.get(args.uid)
        overrides = dict(account.overrides)
        for item in args.override:
            source, separator, shown = str(item).partition("=")
            if not separator or not source:
                msg = f"--override takes SOURCE=SHOWN, not {item!r}"
                raise SpotifyLCDError(msg)
            if shown:
                overrides[source] = shown
            else:
                overrides.pop(source, None)
        changes = {
            name: value
            for name in ("rom", "size", "japanese", "han_reading")
            if (value := getattr(args, name)) is not None
        }
        account = await store.save_if_unchanged(
            account.with_changes(overrides=overrides, **changes)
        )
    finally:
        await store.close()
    print(
        f"{account.uid}: rom {account.rom}, size {account.size}, japanese {account.japanese}, "
        f"han-reading {account.han_reading}",
        file=out,
    )
    for source, shown in sorted(account.overrides.items()):
        print(f"  {source} = {shown}", file=out)


async def list_accounts(args: argparse.Namespace, out: TextIO) -> None:
    """One line per linked account: uid, access, Spotify user, display, link state."""
    store = store_of(args)
    try:
        accounts = await store.list_accounts()
    finally:
        await store.close()
    if not accounts:
        print("No account is linked; add one with spotify-lcd link --uid NAME.", file=out)
        return
    header = ["uid", "access", "spotify user", "display", "state", "controls"]
    rows = [
        [
            account.uid,
            "keyless" if account.keyless else "device key",
            account.spotify_user_id or "-",
            f"{account.rom} {account.size}",
            "needs re-link" if account.needs_relink else "linked",
            "yes" if account.can_control else "re-link to enable controls",
        ]
        + ([account.device_key or "-"] if args.show_keys else [])
        for account in accounts
    ]
    if args.show_keys:
        header.append("device key")
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header))]
    for row in [header, *rows]:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip(),
            file=out,
        )


async def unlink(args: argparse.Namespace, out: TextIO) -> None:
    """Delete `--uid` and its tokens from the store."""
    store = store_of(args)
    try:
        await store.delete(args.uid)
    finally:
        await store.close()
    print(
        f"Unlinked {args.uid!r}: its tokens are deleted, and a running server stops serving it "
        "within 30 s.\nTo revoke the app's access at Spotify too, remove it at "
        "https://www.spotify.com/account/apps/.",
        file=out,
    )


async def _credentials(args: argparse.Namespace, store: TokenStore) -> tuple[str, str]:
    if args.client_id and args.client_secret:
        return str(args.client_id), str(args.client_secret)
    with contextlib.suppress(AccountNotFoundError):
        existing = await store.get(args.uid)
        if existing.client_id and existing.client_secret:
            return existing.client_id, existing.client_secret
    msg = "give --client-id and --client-secret (or SPOTIFY_LCD_CLIENT_ID / _SECRET)"
    raise SpotifyLCDError(msg)


TEXT_FRAME_TIMES_MS = (0, 2500, 5000, 7500, 10_000)


def preview(args: argparse.Namespace, source: TextIO, out: TextIO) -> None:
    """What `/get` answers (v1, v2) or the LCD shows (text, png) for playback JSON on stdin."""
    text = source.read()
    now = time.monotonic()
    if text.strip():
        try:
            data = json.loads(text)
        except ValueError as err:
            msg = f"stdin is not JSON: {err}"
            raise SpotifyLCDError(msg) from err
        playback = Playback.from_spotify(data, now)
    else:
        playback = Playback.idle(now)
    snapshot = Snapshot(AccountStatus.OK, playback)
    text_settings = TextSettings(
        han_reading=HanReading(args.han_reading),
        japanese=JapaneseMode(args.japanese),
        country=args.country.upper(),
    )
    if args.format == "v1":
        json.dump(v1_payload(snapshot, now, text_settings), out, ensure_ascii=False)
        out.write("\n")
        return
    display = DisplaySettings(Rom(args.rom), SIZES[args.size], text_settings)
    payload = v2_payload(snapshot, now, display)
    if args.format == "v2":
        json.dump(payload, out, ensure_ascii=False)
        out.write("\n")
    elif args.format == "text":
        out.write(text_frames(payload, list(TEXT_FRAME_TIMES_MS)) + "\n")
    else:
        if args.out is None:
            msg = "--format png needs --out FILE"
            raise SpotifyLCDError(msg)
        try:
            render_png(payload, args.out, at_ms=round(args.at * 1000), backlight=args.backlight)
        except OSError as err:
            msg = f"cannot write {args.out}: {err.strerror or err}; give --out a writable path"
            raise SpotifyLCDError(msg) from err
        out.write(f"wrote {args.out}\n")
