"""What every reliability check needs: a fake Spotify with faults per account, real servers."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web
from tests.fake_spotify import CLIENT_ID, CLIENT_SECRET, FakeSpotify, Reply, track_playing
from tests.loopback import free_port, wait_healthy

from spotifylcd.account import Account

ROOT = Path(__file__).resolve().parents[2]
TRACK_SECONDS = 45.0

type FaultHandler = Callable[[web.Request], Awaitable[web.StreamResponse | None]]


def playing(title: str, started: float) -> Reply:
    """A track called `title` that has been playing since `started` (45-second tracks)."""
    offset = (time.monotonic() - started) % TRACK_SECONDS
    return Reply(
        200,
        track_playing(
            title,
            offset,
            TRACK_SECONDS,
            uri=f"spotify:track:{abs(hash(title)) % 10**8}",
            artist="Reliability Suite",
            album="Faults",
            device="Reliability",
        ),
    )


@dataclass
class SpotifyDouble:
    """The fake Spotify of the tests, with one switchable fault per account.

    Requests are told apart by account through their tokens: access token `access-<uid>` and
    refresh token `refresh-<uid>` when seeded, and every token issued later to that account.
    """

    fake: FakeSpotify = field(default_factory=FakeSpotify)
    title: str = "Before"
    faults: dict[str, tuple[FaultHandler | None, FaultHandler | None]] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)
    # The refresh tokens issued to each account, oldest first.
    issued: dict[str, list[str]] = field(default_factory=dict)
    calls: Counter[tuple[str, str]] = field(default_factory=Counter)
    started: float = field(default_factory=time.monotonic)
    url: str = ""
    _runner: web.AppRunner | None = None

    def seed(self, uid: str) -> Account:
        """An account linked to this Spotify, with tokens valid for two hours."""
        self.fake.valid_access_tokens.add(f"access-{uid}")
        self.fake.valid_refresh_tokens.add(f"refresh-{uid}")
        self.owners[f"access-{uid}"] = self.owners[f"refresh-{uid}"] = uid
        # Each account its own Spotify app, as each user brings theirs: Spotify rate-limits an
        # app, and one account's 429 holds every account of its app.
        client_id = f"{CLIENT_ID}-{uid}"
        self.fake.clients[client_id] = CLIENT_SECRET
        return Account(
            uid=uid,
            client_id=client_id,
            client_secret=CLIENT_SECRET,
            access_token=f"access-{uid}",
            refresh_token=f"refresh-{uid}",
            expires_at=time.time() + 7200,
            device_key=f"key-{uid}",
            spotify_user_id="wizzler",
        )

    def fault(
        self, uid: str, player: FaultHandler | None = None, token: FaultHandler | None = None
    ) -> None:
        """From now on, answer `uid`'s player and token calls with these handlers."""
        self.faults[uid] = (player, token)

    def clear(self, uid: str) -> None:
        """Answer `uid` normally again."""
        self.faults.pop(uid, None)

    async def start(self) -> None:
        """Serve on a free loopback port, addressed as `localhost` (as Spotify is by name)."""
        self.fake.player_script = lambda: playing(self.title, self.started)
        app = self.fake.app()
        app.middlewares.append(self._faults)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        port = free_port()
        await web.TCPSite(self._runner, "localhost", port).start()
        self.url = f"http://localhost:{port}"

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()

    def env(self) -> dict[str, str]:
        """The environment that points `spotify-lcd` at this Spotify."""
        return {
            **os.environ,
            "SPOTIFY_LCD_API_URL": f"{self.url}/v1",
            "SPOTIFY_LCD_ACCOUNTS_URL": self.url,
        }

    @web.middleware
    async def _faults(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        kind = "token" if request.path == "/api/token" else "player"
        if kind == "token":
            try:
                form = await request.post()
            except ConnectionResetError:  # the caller was killed (the crash loop)
                return web.Response(status=499)
            owner = self.owners.get(str(form.get("refresh_token", "")), "?")
        else:
            bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
            owner = self.owners.get(bearer, "?")
        self.calls[owner, kind] += 1
        player, token = self.faults.get(owner, (None, None))
        fault = token if kind == "token" else player
        if fault is not None and (response := await fault(request)) is not None:
            return response
        response = await handler(request)
        if kind == "token" and isinstance(response, web.Response) and response.status == 200:
            assert response.text is not None
            grant = json.loads(response.text)
            self.owners[grant["access_token"]] = owner
            if "refresh_token" in grant:
                self.owners[grant["refresh_token"]] = owner
                self.issued.setdefault(owner, []).append(grant["refresh_token"])
        return response

    def refresh_token(self, uid: str) -> str:
        """The refresh token `uid` holds now: the last one issued, or the seeded one."""
        return self.issued.get(uid, [f"refresh-{uid}"])[-1]


@dataclass
class Server:
    """A `spotify-lcd serve` process and its log."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def log_levels(self) -> Counter[str]:
        """How many log lines at each level."""
        levels: Counter[str] = Counter()
        for line in self.log.read_text(errors="replace").splitlines():
            for level in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
                if f" {level} " in line:
                    levels[level] += 1
                    break
            else:
                levels["other"] += 1
        return levels

    def rss_mib(self) -> float:
        """The process's resident memory now."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        msg = "no VmRSS"
        raise RuntimeError(msg)


@contextlib.asynccontextmanager
async def serving(
    spotify: SpotifyDouble, store: str, *extra: str, wait: bool = True
) -> AsyncIterator[Server]:
    """`spotify-lcd serve` on a free port with the store, until the block ends (SIGTERM)."""
    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="spotify-lcd-reliability-")) / "serve.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "spotifylcd",
                "serve",
                "--host",
                "localhost",
                "--port",
                str(port),
                "--store",
                store,
                "--poll-jitter",
                "0",
                *extra,
            ],
            env=spotify.env(),
            stdout=sink,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
    server = Server(process, f"http://localhost:{port}", log)
    try:
        if wait:
            await wait_healthy(server.url, timeout=60)
        yield server
    finally:
        process.terminate()
        await asyncio.to_thread(process.wait, 20)


def table(header: list[str], rows: list[list[Any]]) -> str:
    """Columns padded to their widest cell."""
    cells = [[str(cell) for cell in row] for row in [header, *rows]]
    widths = [max(len(row[column]) for row in cells) for column in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in cells
    )
