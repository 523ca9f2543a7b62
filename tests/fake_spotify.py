"""A fake Spotify (Web API + accounts service) that runs as a real aiohttp server on loopback."""

from __future__ import annotations

import asyncio
import base64
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

CLIENT_ID = "test-client-id"
CLIENT_SECRET = "test-client-secret"
# `GET /me` as Spotify answers development-mode apps since 2026-03-09: no country, product,
# email or followers.
USER = {
    "id": "wizzler",
    "display_name": "Wizzler",
    "type": "user",
    "uri": "spotify:user:wizzler",
    "href": "https://api.spotify.com/v1/users/wizzler",
    "external_urls": {"spotify": "https://open.spotify.com/user/wizzler"},
    "images": [],
}
PREMIUM_REQUIRED = {
    "error": {
        "status": 403,
        "message": "Active premium subscription required for the owner of the app.",
    }
}
BATCH_REFUSED = {"error": {"status": 403, "message": "Forbidden"}}
NO_ACTIVE_DEVICE = {
    "error": {
        "status": 404,
        "message": "Player command failed: No active device found",
        "reason": "NO_ACTIVE_DEVICE",
    }
}
PREMIUM_REQUIRED_FOR_COMMANDS = {
    "error": {
        "status": 403,
        "message": "Player command failed: Premium required",
        "reason": "PREMIUM_REQUIRED",
    }
}


@dataclass(frozen=True)
class Reply:
    """One scripted answer: status, body (JSON-encoded unless bytes/str), headers, delay."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0

    def response(self) -> web.Response:
        if self.body is None:
            return web.Response(status=self.status, headers=self.headers)
        if isinstance(self.body, bytes | str):
            return web.Response(status=self.status, body=self.body, headers=self.headers)
        return web.json_response(self.body, status=self.status, headers=self.headers)


def track_playing(
    name: str,
    progress: float,
    duration: float,
    *,
    uri: str = "",
    artist: str = "Bench",
    album: str = "Bench",
    device: str = "Bench",
    is_playing: bool = True,
) -> dict[str, Any]:
    """`GET /me/player` for the track `name`, `progress` of its `duration` seconds in."""
    return {
        "device": {"name": device},
        "is_playing": is_playing,
        "progress_ms": round(progress * 1000),
        "currently_playing_type": "track",
        "item": {
            "type": "track",
            "name": name,
            "uri": uri or f"spotify:track:{name.replace(' ', '').lower()}",
            "duration_ms": round(duration * 1000),
            "artists": [{"name": artist}],
            "album": {"name": album},
        },
    }


def player_reply(playback: dict[str, Any] | None) -> Reply:
    """200 with a playback body, or 204 when `playback` is None."""
    return Reply(204) if playback is None else Reply(200, playback)


class FakeSpotify:
    """Scriptable per test: queue replies, or set the default; counts every call."""

    def __init__(self) -> None:
        self.player_default: Reply = Reply(204)
        # When set, answers the player endpoint instead of `player_default` (time-driven fakes).
        self.player_script: Callable[[], Reply] | None = None
        self.player_queue: deque[Reply] = deque()
        self.token_queue: deque[Reply] = deque()
        self.calls: Counter[str] = Counter()
        self.access_tokens_seen: list[str] = []
        self.valid_access_tokens: set[str] = {"access-0"}
        self.valid_refresh_tokens: set[str] = {"refresh-0"}
        # The apps (client id → secret) whose credentials the token endpoint takes.
        self.clients: dict[str, str] = {CLIENT_ID: CLIENT_SECRET}
        self.rotate_refresh_tokens = False
        self.issued = 0
        self.codes: set[str] = set()
        # Development-mode apps work only while their owner has Premium.
        self.owner_premium = True
        self.artist_genres: dict[str, list[str]] = {}
        self.artist_queue: deque[Reply] = deque()
        # Player commands as received: ("next", {}), ("volume", {"volume_percent": "33"}).
        self.commands: list[tuple[str, dict[str, str]]] = []
        self.command_queue: deque[Reply] = deque()
        self.active_device = True
        # Called with each accepted command, so a test's player can follow it (a skip, say).
        self.on_command: Callable[[str], None] | None = None
        # What the user granted when linking; links from before controls lack the last one.
        self.granted_scope = (
            "user-read-playback-state user-read-currently-playing user-modify-playback-state"
        )

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/v1/me/player", self._player)
        app.router.add_get("/v1/me", self._me)
        app.router.add_get("/v1/artists/{artist_id}", self._artist)
        for method, command in (
            ("PUT", "play"),
            ("PUT", "pause"),
            ("POST", "next"),
            ("POST", "previous"),
            ("PUT", "volume"),
        ):
            app.router.add_route(method, f"/v1/me/player/{command}", self._command)
        # Refused to development-mode apps since 2026-03-09.
        for batch in ("artists", "albums", "tracks"):
            app.router.add_get(f"/v1/{batch}", self._batch_refused)
        app.router.add_post("/api/token", self._token)
        return app

    def _authorised(self, request: web.Request) -> bool:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        self.access_tokens_seen.append(token)
        return token in self.valid_access_tokens

    async def _player(self, request: web.Request) -> web.StreamResponse:
        self.calls["player"] += 1
        assert request.query.get("additional_types") == "episode"
        if self.player_queue:
            reply = self.player_queue.popleft()
        else:
            reply = self.player_script() if self.player_script else self.player_default
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.status < 400 and not self._authorised(request):
            return web.json_response(
                {"error": {"status": 401, "message": "The access token expired"}}, status=401
            )
        if not self.owner_premium:
            return web.json_response(PREMIUM_REQUIRED, status=403)
        return reply.response()

    async def _artist(self, request: web.Request) -> web.StreamResponse:
        self.calls["artist"] += 1
        if not self._authorised(request):
            return web.json_response({"error": {"status": 401, "message": "bad token"}}, status=401)
        if self.artist_queue:
            return self.artist_queue.popleft().response()
        artist_id = request.match_info["artist_id"]
        return web.json_response(
            {
                "id": artist_id,
                "type": "artist",
                "uri": f"spotify:artist:{artist_id}",
                "name": artist_id,
                "genres": self.artist_genres.get(artist_id, []),
            }
        )

    async def _command(self, request: web.Request) -> web.StreamResponse:
        command = request.path.rsplit("/", 1)[-1]
        self.calls[command] += 1
        if not self._authorised(request):
            return web.json_response({"error": {"status": 401, "message": "bad token"}}, status=401)
        if self.command_queue:
            return self.command_queue.popleft().response()
        if not self.owner_premium:
            return web.json_response(PREMIUM_REQUIRED_FOR_COMMANDS, status=403)
        if not self.active_device:
            return web.json_response(NO_ACTIVE_DEVICE, status=404)
        self.commands.append((command, dict(request.query)))
        if self.on_command is not None:
            self.on_command(command)
        return web.Response(status=204)

    async def _batch_refused(self, _request: web.Request) -> web.StreamResponse:
        self.calls["batch"] += 1
        return web.json_response(BATCH_REFUSED, status=403)

    async def _me(self, request: web.Request) -> web.StreamResponse:
        self.calls["me"] += 1
        if not self._authorised(request):
            return web.json_response({"error": {"status": 401, "message": "bad token"}}, status=401)
        return web.json_response(USER)

    async def _token(self, request: web.Request) -> web.StreamResponse:
        self.calls["token"] += 1
        if self.token_queue:
            return self.token_queue.popleft().response()
        form = await request.post()
        # Spotify takes the client's credentials as HTTP Basic auth or as form fields.
        accepted = {
            f"Basic {base64.b64encode(f'{client}:{secret}'.encode()).decode()}"
            for client, secret in self.clients.items()
        }
        basic = request.headers.get("Authorization") in accepted
        client = str(form.get("client_id"))
        in_form = client in self.clients and self.clients[client] == form.get("client_secret")
        if not (basic or in_form):
            return web.json_response({"error": "invalid_client"}, status=400)
        grant_type = form.get("grant_type")
        if grant_type == "refresh_token":
            if form.get("refresh_token") not in self.valid_refresh_tokens:
                return web.json_response(
                    {"error": "invalid_grant", "error_description": "Refresh token revoked"},
                    status=400,
                )
        elif grant_type == "authorization_code":
            if form.get("code") not in self.codes:
                return web.json_response({"error": "invalid_grant"}, status=400)
        else:
            return web.json_response({"error": "unsupported_grant_type"}, status=400)
        self.issued += 1
        access = f"access-{self.issued}"
        self.valid_access_tokens.add(access)
        body: dict[str, Any] = {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": 3600,
            "scope": self.granted_scope,
        }
        if self.rotate_refresh_tokens or grant_type == "authorization_code":
            refresh = f"refresh-{self.issued}"
            self.valid_refresh_tokens.add(refresh)
            body["refresh_token"] = refresh
        return web.json_response(body)
