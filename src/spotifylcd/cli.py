"""The `spotify-lcd` command: serve, link, manage accounts, preview (DESIGN section 2)."""

from __future__ import annotations

import argparse
import logging
import math
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Final, NoReturn

from . import __version__
from .access import parse_networks
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
from .poller import DEFAULT_JITTER, DEFAULT_PLAYING_INTERVAL
from .preview import BACKLIGHTS
from .redirect import DEFAULT_REDIRECT_PORT
from .screen import SIZES
from .store import default_location
from .store.base import DEFAULT_COLLECTION, DEFAULT_DATABASE
from .text import HanReading, JapaneseMode

if TYPE_CHECKING:
    from collections.abc import Sequence

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


def positive_seconds(text: str) -> float:
    """A duration in seconds above zero, or argparse's one-line error."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not value > 0 or math.isinf(value):
        msg = f"{text!r} is not a number of seconds above 0"
        raise argparse.ArgumentTypeError(msg)
    return value


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
        help="spread between accounts: each poll's interval varies by this fraction, centred "
        "on it; back-off and Spotify's waits are spread over their whole step; 0 is exact",
    )
    serve.add_argument(
        "--lease-period",
        type=positive_seconds,
        default=10.0,
        help="with a MongoDB store shared by several servers: seconds after which a silent "
        "server's accounts are polled by the others",
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
    # Each command imports its own dependencies (aiohttp, spotipy, PIL, the text engine) only
    # when it runs, so `--help` and a mistyped option answer at once.
    if args.command == "serve":
        from .commands import serve  # noqa: PLC0415

        serve.run(args)
    elif args.command == "link":
        from .commands import link  # noqa: PLC0415

        link.run(args)
    elif args.command == "preview":
        from .commands import preview  # noqa: PLC0415

        preview.run(args)
    else:
        from .commands import accounts  # noqa: PLC0415

        accounts.run(args)


def failure_message(err: Exception) -> str:
    """One line: what went wrong, then what to do about it when `ADVICE` knows."""
    what = " ".join(str(err).split())
    advice = next((text for kind, text in ADVICE if isinstance(err, kind)), "")
    return f"{what}; {advice}" if advice else what
