"""The Web API client against a fake Spotify on loopback: every mood maps to a precise error."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from spotifylcd.exceptions import (
    SpotifyAuthError,
    SpotifyError,
    SpotifyForbiddenError,
    SpotifyInvalidResponseError,
    SpotifyRateLimitedError,
    SpotifyReauthRequiredError,
    SpotifyUnavailableError,
)
from spotifylcd.playback import PlaybackKind
from spotifylcd.spotify import DEFAULT_RETRY_AFTER, SpotifyClient, SpotifyEndpoints
from tests.fake_spotify import CLIENT_ID, CLIENT_SECRET, FakeSpotify, Reply

type Fake = tuple[FakeSpotify, SpotifyEndpoints]


async def test_playback_track(
    fake_spotify: Fake, spotify_client: SpotifyClient, track_state: dict[str, Any]
) -> None:
    fake_spotify[0].player_default = Reply(200, track_state)
    playback = await spotify_client.get_playback("access-0")
    assert (playback.kind, playback.title) == (PlaybackKind.TRACK, "Paparazzi")
    assert fake_spotify[0].access_tokens_seen == ["access-0"]


@pytest.mark.parametrize("reply", [Reply(204), Reply(200, "")])
async def test_nothing_playing_is_idle(
    fake_spotify: Fake, spotify_client: SpotifyClient, reply: Reply
) -> None:
    fake_spotify[0].player_default = reply
    assert (await spotify_client.get_playback("access-0")).kind is PlaybackKind.IDLE


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (Reply(401, {"error": {"status": 401, "message": "expired"}}), SpotifyAuthError),
        (
            Reply(403, {"error": {"status": 403, "message": "Premium required"}}),
            SpotifyForbiddenError,
        ),
        (Reply(500, "oops"), SpotifyUnavailableError),
        (Reply(502, b"<html>Bad gateway</html>"), SpotifyUnavailableError),
        (Reply(503), SpotifyUnavailableError),
        (Reply(200, "{not json"), SpotifyInvalidResponseError),
        (Reply(200, "<html>captive portal</html>"), SpotifyInvalidResponseError),
        (Reply(200, [1, 2]), SpotifyInvalidResponseError),
        (Reply(404, {"error": {"status": 404, "message": "no"}}), SpotifyError),
        (Reply(200, {}, delay=2.0), SpotifyUnavailableError),
    ],
    ids=["401", "403", "500", "502-html", "503-empty", "garbage", "html", "array", "404", "slow"],
)
async def test_failures_are_typed(
    fake_spotify: Fake, spotify_client: SpotifyClient, reply: Reply, error: type[Exception]
) -> None:
    fake_spotify[0].player_default = reply
    with pytest.raises(error) as raised:
        await spotify_client.get_playback("access-0")
    assert type(raised.value) is error


@pytest.mark.parametrize(
    ("headers", "body", "retry_after", "reason"),
    [
        ({"Retry-After": "17"}, {"error": {"status": 429, "message": "rate limit"}}, 17.0, ""),
        (
            {"Retry-After": "3600"},
            {"error": {"status": 429, "message": "quota", "reason": "QUOTA_EXCEEDED"}},
            3600.0,
            "QUOTA_EXCEEDED",
        ),
        ({}, "", DEFAULT_RETRY_AFTER, ""),
        ({"Retry-After": "soon"}, "", DEFAULT_RETRY_AFTER, ""),
    ],
)
async def test_rate_limit_carries_retry_after_and_reason(
    fake_spotify: Fake,
    spotify_client: SpotifyClient,
    headers: dict[str, str],
    body: object,
    retry_after: float,
    reason: str,
) -> None:
    fake_spotify[0].player_default = Reply(429, body, headers)
    with pytest.raises(SpotifyRateLimitedError) as raised:
        await spotify_client.get_playback("access-0")
    assert raised.value.retry_after == retry_after
    assert (raised.value.reason or "") == reason


async def test_unreachable_spotify_is_unavailable(http_session: aiohttp.ClientSession) -> None:
    client = SpotifyClient(
        http_session, SpotifyEndpoints("http://localhost:9/v1", "http://localhost:9")
    )
    with pytest.raises(SpotifyUnavailableError):
        await client.get_playback("t")


async def test_current_user(fake_spotify: Fake, spotify_client: SpotifyClient) -> None:
    user = await spotify_client.get_current_user("access-0")
    # Development-mode apps get no country (nor product or email) since 2026-03-09.
    assert (user.user_id, user.display_name, user.country) == ("wizzler", "Wizzler", "")


async def test_refresh_keeps_old_refresh_token_when_not_rotated(
    fake_spotify: Fake, spotify_client: SpotifyClient
) -> None:
    grant = await spotify_client.refresh_access_token(CLIENT_ID, CLIENT_SECRET, "refresh-0")
    assert (grant.access_token, grant.refresh_token) == ("access-1", "refresh-0")


async def test_refresh_keeps_rotated_refresh_token(
    fake_spotify: Fake, spotify_client: SpotifyClient
) -> None:
    fake_spotify[0].rotate_refresh_tokens = True
    grant = await spotify_client.refresh_access_token(CLIENT_ID, CLIENT_SECRET, "refresh-0")
    assert grant.refresh_token == "refresh-1"


@pytest.mark.parametrize(
    ("client_secret", "refresh_token"),
    [(CLIENT_SECRET, "revoked"), ("wrong-secret", "refresh-0")],
    ids=["invalid_grant", "invalid_client"],
)
async def test_refused_refresh_needs_relink(
    fake_spotify: Fake, spotify_client: SpotifyClient, client_secret: str, refresh_token: str
) -> None:
    with pytest.raises(SpotifyReauthRequiredError):
        await spotify_client.refresh_access_token(CLIENT_ID, client_secret, refresh_token)


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (Reply(503, ""), SpotifyUnavailableError),
        (Reply(200, {"token_type": "Bearer"}), SpotifyInvalidResponseError),
        (Reply(429, "", {"Retry-After": "9"}), SpotifyRateLimitedError),
    ],
)
async def test_token_endpoint_trouble_is_not_a_relink(
    fake_spotify: Fake, spotify_client: SpotifyClient, reply: Reply, error: type[Exception]
) -> None:
    fake_spotify[0].token_queue.append(reply)
    with pytest.raises(error):
        await spotify_client.refresh_access_token(CLIENT_ID, CLIENT_SECRET, "refresh-0")


def test_endpoints_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPOTIFY_LCD_API_URL", "http://127.0.0.1:1/v1/")
    monkeypatch.setenv("SPOTIFY_LCD_ACCOUNTS_URL", "http://127.0.0.1:2")
    endpoints = SpotifyEndpoints.from_env()
    assert endpoints.api_url == "http://127.0.0.1:1/v1"
    assert endpoints.token_url == "http://127.0.0.1:2/api/token"
    monkeypatch.delenv("SPOTIFY_LCD_API_URL")
    monkeypatch.delenv("SPOTIFY_LCD_ACCOUNTS_URL")
    assert SpotifyEndpoints.from_env() == SpotifyEndpoints()


async def test_owner_without_premium_is_forbidden(
    fake_spotify: Fake, spotify_client: SpotifyClient
) -> None:
    fake_spotify[0].owner_premium = False
    with pytest.raises(SpotifyForbiddenError, match="premium subscription required"):
        await spotify_client.get_playback("access-0")
