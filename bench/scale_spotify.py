"""The Spotify of the scale run: thousands of accounts, each playing, paused or idle on its own.

`tests/fake_spotify.py` answers every account with one scripted player; here each account
has its own tokens, state and tracks, and every call is logged with its time, so the run can
count calls per account and per 100 ms window. Account `i` holds access token `access-<i>`
(tokens issued later are `access-<i>-<n>`), so the index is read from the token itself.

Each account plays real titles in many scripts (`tests/fixtures/text/titles.json`) as
Spotify's full "Get Playback State" body; the album carries the account's number and the
device its own name, so no two accounts share a track's text, as households rarely do.
"""

from __future__ import annotations

import copy
import json
import time
from enum import StrEnum
from pathlib import Path
from typing import Any, Final, NamedTuple

from aiohttp import web
from tests.fake_spotify import CLIENT_ID, CLIENT_SECRET
from tests.loopback import free_port

from spotifylcd.account import Account

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE: Final[dict[str, Any]] = json.loads(
    (ROOT / "tests/fixtures/spotify/playback_state_track.json").read_text()
)
TRACKS: Final[list[dict[str, Any]]] = json.loads(
    (ROOT / "tests/fixtures/text/titles.json").read_text()
)["tracks"]
SHORTEST_TRACK_S: Final = 150
LONGEST_TRACK_S: Final = 330


class State(StrEnum):
    """What an account's player does for the whole run."""

    PLAYING = "playing"
    PAUSED = "paused"
    IDLE = "idle"


def state_of(index: int) -> State:
    """70 % playing, 20 % paused, 10 % idle, interleaved so any prefix has the same mix."""
    slot = index % 10
    if slot < 7:
        return State.PLAYING
    return State.PAUSED if slot < 9 else State.IDLE


def uid_of(index: int) -> str:
    """The display name (`uid`) of account `index`."""
    return f"scale-{index:05d}"


def device_key_of(index: int) -> str:
    """The device key account `index`'s displays send."""
    return f"key-{index}"


class Call(NamedTuple):
    """One request Spotify received: when (monotonic seconds), which endpoint, whose."""

    at: float
    kind: str
    account: int


class ScaleSpotify:
    """Web API and accounts service for `accounts` accounts, on a free loopback port."""

    def __init__(self, accounts: int) -> None:
        """Serve accounts 0 to `accounts - 1`; nothing listens until `start()`."""
        self.accounts = accounts
        self.calls: list[Call] = []
        self.url = ""
        self._started = time.monotonic()
        self._issued = 0
        self._runner: web.AppRunner | None = None
        # The item each account plays now, built once per track: (track number, item).
        self._items: dict[int, tuple[int, dict[str, Any]]] = {}

    def account(self, index: int) -> Account:
        """Account `index` as linked to this Spotify, its tokens valid for two hours."""
        return Account(
            uid=uid_of(index),
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            access_token=f"access-{index}",
            refresh_token=f"refresh-{index}",
            expires_at=time.time() + 7200,
            device_key=device_key_of(index),
            spotify_user_id=f"user-{index}",
            linked_at=time.time(),
        )

    async def start(self) -> None:
        """Serve on a free loopback port, addressed as `localhost` (as Spotify is by name)."""
        app = web.Application()
        app.router.add_get("/v1/me/player", self._player)
        app.router.add_get("/v1/artists/{artist_id}", self._artist)
        app.router.add_post("/api/token", self._token)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        port = free_port()
        await web.TCPSite(self._runner, "localhost", port).start()
        self.url = f"http://localhost:{port}"
        self._started = time.monotonic()

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()

    def env(self) -> dict[str, str]:
        """What points `spotify-lcd` at this Spotify."""
        return {"SPOTIFY_LCD_API_URL": f"{self.url}/v1", "SPOTIFY_LCD_ACCOUNTS_URL": self.url}

    def _owner(self, request: web.Request, kind: str) -> int | None:
        """The account a bearer token belongs to (logging the call), or None if unknown."""
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        index = self._index(token, "access")
        self.calls.append(Call(time.monotonic(), kind, -1 if index is None else index))
        return index

    def _index(self, token: str, kind: str) -> int | None:
        prefix, _, rest = token.partition("-")
        number = rest.partition("-")[0]
        if prefix != kind or not number.isdigit() or int(number) >= self.accounts:
            return None
        return int(number)

    async def _player(self, request: web.Request) -> web.StreamResponse:
        index = self._owner(request, "player")
        if index is None:
            return _unauthorised()
        state = state_of(index)
        if state is State.IDLE:
            return web.Response(status=204)
        length = SHORTEST_TRACK_S + (index * 37) % (LONGEST_TRACK_S - SHORTEST_TRACK_S + 1)
        offset = (index * 7919) % 1000 / 1000 * length
        elapsed = offset + (time.monotonic() - self._started if state is State.PLAYING else 0)
        number, progress = divmod(elapsed, length)
        body = {
            **TEMPLATE,
            "device": {**TEMPLATE["device"], "id": f"device-{index}", "name": f"Speaker {index}"},
            "timestamp": int(time.time() * 1000),
            "progress_ms": int(progress * 1000),
            "is_playing": state is State.PLAYING,
            "item": self._item(index, int(number), length),
        }
        return web.json_response(body)

    def _item(self, index: int, number: int, length: int) -> dict[str, Any]:
        cached = self._items.get(index)
        if cached is not None and cached[0] == number:
            return cached[1]
        position = (index * 7 + number) % len(TRACKS)
        track = TRACKS[position]
        item: dict[str, Any] = copy.deepcopy(TEMPLATE["item"])
        artist = item["artists"][0]
        item["artists"] = [
            {**artist, "id": f"artist-{position}-{n}", "name": name, "uri": f"spotify:artist:{n}"}
            for n, (name, _) in enumerate(track["artists"])
        ]
        item["album"]["name"] = f"{track['album'][0]} ({index})"
        item["name"] = track["title"][0]
        item["duration_ms"] = length * 1000
        item["id"] = f"track-{index}-{number}"
        item["uri"] = f"spotify:track:{index}-{number}"
        self._items[index] = (number, item)
        return item

    async def _artist(self, request: web.Request) -> web.StreamResponse:
        if self._owner(request, "artist") is None:
            return _unauthorised()
        artist_id = request.match_info["artist_id"]
        position = artist_id.split("-")[1]
        genres = TRACKS[int(position)]["genres"] if position.isdigit() else []
        return web.json_response(
            {"id": artist_id, "type": "artist", "name": artist_id, "genres": genres}
        )

    async def _token(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        index = self._index(str(form.get("refresh_token", "")), "refresh")
        self.calls.append(Call(time.monotonic(), "token", -1 if index is None else index))
        if index is None or form.get("grant_type") != "refresh_token":
            return web.json_response({"error": "invalid_grant"}, status=400)
        self._issued += 1
        return web.json_response(
            {
                "access_token": f"access-{index}-{self._issued}",
                "token_type": "Bearer",
                "expires_in": 3600,
                "scope": "user-read-playback-state user-read-currently-playing "
                "user-modify-playback-state",
            }
        )


def _unauthorised() -> web.Response:
    return web.json_response(
        {"error": {"status": 401, "message": "The access token expired"}}, status=401
    )
