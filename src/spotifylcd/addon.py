"""The Home Assistant add-on's start: /data/options.json → `spotify-lcd serve`, or a clear error.

Run by the s6 service (`python3 -m spotifylcd.addon /data/options.json`); it replaces itself
with the server, so s6 supervises the server process directly.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from typing import Final, NoReturn

from .access import parse_networks
from .admin import INGRESS_GATEWAY
from .store import is_mongodb_uri
from .store.base import DEFAULT_COLLECTION, DEFAULT_DATABASE

LOG_LEVELS: Final = {"debug": "DEBUG", "info": "INFO", "warning": "WARNING"}
MIN_POLL: Final = 2
MAX_POLL: Final = 60


class OptionsError(ValueError):
    """An option the add-on cannot start with."""


@dataclass(frozen=True, slots=True)
class AddonOptions:
    """The add-on's options, checked."""

    mongodb_uri: str
    poll_interval: int
    log_level: str
    legacy_keyless: bool
    mongodb_database: str = DEFAULT_DATABASE
    mongodb_collection: str = DEFAULT_COLLECTION
    trusted_proxies: tuple[str, ...] = ()

    @classmethod
    def parse(cls, raw: object) -> AddonOptions:
        """Check every option; raise `OptionsError` naming the bad one."""
        if not isinstance(raw, dict):
            msg = "options.json must hold a JSON object"
            raise OptionsError(msg)
        uri = raw.get("mongodb_uri") or ""
        if not isinstance(uri, str) or (uri and not is_mongodb_uri(uri)):
            msg = "mongodb_uri must be empty or start with mongodb:// or mongodb+srv://"
            raise OptionsError(msg)
        poll = raw.get("poll_interval", 5)
        if isinstance(poll, bool) or not isinstance(poll, int) or not MIN_POLL <= poll <= MAX_POLL:
            msg = f"poll_interval must be a whole number of seconds from {MIN_POLL} to {MAX_POLL}"
            raise OptionsError(msg)
        level = raw.get("log_level", "info")
        if level not in LOG_LEVELS:
            msg = f"log_level must be one of {', '.join(LOG_LEVELS)}"
            raise OptionsError(msg)
        keyless = raw.get("legacy_keyless", False)
        if not isinstance(keyless, bool):
            msg = "legacy_keyless must be true or false"
            raise OptionsError(msg)
        # `spotify-lcd serve` checks the names themselves and says what is wrong.
        database = _text(raw, "mongodb_database", DEFAULT_DATABASE)
        collection = _text(raw, "mongodb_collection", DEFAULT_COLLECTION)
        proxies = raw.get("trusted_proxies") or []
        if not isinstance(proxies, list) or not all(isinstance(p, str) for p in proxies):
            msg = "trusted_proxies must be a list of addresses or networks"
            raise OptionsError(msg)
        try:
            parse_networks(proxies)
        except ValueError as err:
            msg = f"trusted_proxies: {err}"
            raise OptionsError(msg) from err
        return cls(uri, poll, str(level), keyless, database, collection, tuple(proxies))

    def serve_argv(self, *, data_dir: str, port: int, admin_port: int, trust: str) -> list[str]:
        """The `spotify-lcd` arguments these options mean."""
        argv = [
            "--log-level",
            LOG_LEVELS[self.log_level],
            "serve",
            "--host",
            "0.0.0.0",  # noqa: S104 - inside the add-on container: HA maps the ports
            "--port",
            str(port),
            "--store",
            self.mongodb_uri or data_dir,
            *(
                [
                    "--mongodb-database",
                    self.mongodb_database,
                    "--mongodb-collection",
                    self.mongodb_collection,
                ]
                if self.mongodb_uri
                else []
            ),
            "--poll-interval",
            str(self.poll_interval),
            "--admin-port",
            str(admin_port),
            "--admin-trust",
            trust,
        ]
        for proxy in self.trusted_proxies:
            argv += ["--trusted-proxy", proxy]
        return [*argv, "--keyless-links"] if self.legacy_keyless else argv


def _text(raw: dict[str, object], name: str, default: str) -> str:
    value = raw.get(name) or default
    if not isinstance(value, str):
        msg = f"{name} must be text"
        raise OptionsError(msg)
    return value


def main(argv: list[str] | None = None) -> int:
    """Read the options file named on the command line and exec the server."""
    args = sys.argv[1:] if argv is None else argv
    path = args[0] if args else "/data/options.json"
    try:
        with open(path, encoding="utf-8") as file:  # noqa: PTH123 - one small read
            options = AddonOptions.parse(json.load(file))
    except FileNotFoundError:
        # Plain `docker run` has no Supervisor writing options: run with the defaults.
        sys.stderr.write(f"spotify-lcd add-on: no {path}; using the default options\n")
        options = AddonOptions.parse({})
    except (OSError, ValueError) as err:
        sys.stderr.write(f"spotify-lcd add-on: cannot start: {err}\n")
        return 2
    serve = options.serve_argv(
        data_dir=os.environ.get("SPOTIFY_LCD_DATA", "/data"),
        port=int(os.environ.get("SPOTIFY_LCD_PORT", "5000")),
        admin_port=int(os.environ.get("SPOTIFY_LCD_ADMIN_PORT", "8099")),
        trust=os.environ.get("SPOTIFY_LCD_ADMIN_TRUST", INGRESS_GATEWAY),
    )
    return _become_server(serve)


def _become_server(serve: list[str]) -> NoReturn:
    """Replace this process with the server, so s6 supervises it directly."""
    sys.stdout.flush()
    os.execv(sys.executable, [sys.executable, "-m", "spotifylcd", *serve])  # noqa: S606


if __name__ == "__main__":
    sys.exit(main())
