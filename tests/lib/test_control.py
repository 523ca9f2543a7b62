"""Playback controls against the fake Spotify: each action, what Spotify refuses, the contract."""

from __future__ import annotations

import time
from typing import Any

import pytest

from spotifylcd.access import BadKeyThrottle
from spotifylcd.account import Account
from spotifylcd.contract import RequestError
from spotifylcd.control import ControlAction, ControlsNotGrantedError, send_control
from spotifylcd.control_request import authorise_control, refusal
from spotifylcd.exceptions import (
    SpotifyForbiddenError,
    SpotifyLCDError,
    SpotifyNoActiveDeviceError,
    SpotifyRateLimitedError,
    SpotifyReauthRequiredError,
    SpotifyUnavailableError,
)
from spotifylcd.playback import Playback
from spotifylcd.spotify import CONTROL_SCOPE, SpotifyClient, SpotifyEndpoints
from spotifylcd.store import FileTokenStore
from spotifylcd.stored_tokens import StoredTokens
from tests.fake_spotify import FakeSpotify, Reply

type Fake = tuple[FakeSpotify, SpotifyEndpoints]


@pytest.fixture
async def tokens(
    spotify_client: SpotifyClient, file_store: FileTokenStore, linked_account: Account
) -> StoredTokens:
    return StoredTokens(spotify_client, file_store, await file_store.put(linked_account))


def playback(track_state: dict[str, Any], *, playing: bool = True, volume: int = 23) -> Playback:
    state = {**track_state, "is_playing": playing}
    state["device"] = {**state["device"], "volume_percent": volume}
    return Playback.from_spotify(state, time.monotonic())


@pytest.mark.parametrize(
    ("action", "playing", "volume", "command"),
    [
        (ControlAction.PLAY, False, 23, ("play", {})),
        (ControlAction.PAUSE, True, 23, ("pause", {})),
        (ControlAction.TOGGLE, True, 23, ("pause", {})),
        (ControlAction.TOGGLE, False, 23, ("play", {})),
        (ControlAction.NEXT, True, 23, ("next", {})),
        (ControlAction.PREVIOUS, True, 23, ("previous", {})),
        (ControlAction.VOLUME_UP, True, 23, ("volume", {"volume_percent": "33"})),
        (ControlAction.VOLUME_DOWN, True, 23, ("volume", {"volume_percent": "13"})),
        (ControlAction.VOLUME_UP, True, 95, ("volume", {"volume_percent": "100"})),
        (ControlAction.VOLUME_DOWN, True, 4, ("volume", {"volume_percent": "0"})),
    ],
)
async def test_each_action_reaches_the_player(
    fake_spotify: Fake,
    spotify_client: SpotifyClient,
    tokens: StoredTokens,
    track_state: dict[str, Any],
    action: ControlAction,
    playing: bool,
    volume: int,
    command: tuple[str, dict[str, str]],
) -> None:
    seen = playback(track_state, playing=playing, volume=volume)
    await send_control(spotify_client, tokens, action, seen)
    assert fake_spotify[0].commands == [command]


async def test_a_rejected_token_is_refreshed_once_for_a_command(
    fake_spotify: Fake, spotify_client: SpotifyClient, tokens: StoredTokens
) -> None:
    fake_spotify[0].valid_access_tokens.clear()
    await send_control(spotify_client, tokens, ControlAction.NEXT, None)
    assert fake_spotify[0].commands == [("next", {})]
    assert fake_spotify[0].calls["token"] == 1


async def test_what_spotify_refuses_is_told_apart(
    fake_spotify: Fake, spotify_client: SpotifyClient, tokens: StoredTokens
) -> None:
    fake = fake_spotify[0]
    fake.active_device = False
    with pytest.raises(SpotifyNoActiveDeviceError):
        await send_control(spotify_client, tokens, ControlAction.PLAY, None)
    fake.owner_premium = False
    with pytest.raises(SpotifyForbiddenError) as forbidden:
        await send_control(spotify_client, tokens, ControlAction.PLAY, None)
    assert forbidden.value.reason == "PREMIUM_REQUIRED"
    fake.command_queue.append(Reply(429, {"error": {"status": 429}}, {"Retry-After": "7"}))
    with pytest.raises(SpotifyRateLimitedError) as limited:
        await send_control(spotify_client, tokens, ControlAction.NEXT, None)
    assert limited.value.retry_after == 7.0
    assert fake.commands == []


async def test_volume_needs_a_device_that_reports_one(
    fake_spotify: Fake, spotify_client: SpotifyClient, tokens: StoredTokens
) -> None:
    with pytest.raises(SpotifyNoActiveDeviceError):
        await send_control(spotify_client, tokens, ControlAction.VOLUME_UP, None)
    assert fake_spotify[0].commands == []


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (SpotifyNoActiveDeviceError("no device"), 404, "no_active_device"),
        (SpotifyForbiddenError("no", "PREMIUM_REQUIRED"), 403, "premium_required"),
        (SpotifyForbiddenError("no"), 403, "forbidden"),
        (SpotifyRateLimitedError(12), 429, "rate_limited"),
        (SpotifyReauthRequiredError("revoked"), 403, "needs_relink"),
        (ControlsNotGrantedError("kitchen"), 403, "relink_for_controls"),
        (SpotifyUnavailableError("down"), 502, "spotify_unavailable"),
    ],
)
def test_refusals_are_json_errors_with_a_status(
    error: SpotifyLCDError, status: int, code: str
) -> None:
    refused = refusal(error)
    assert (refused.status, refused.error) == (status, code)
    response = refused.response()
    assert response.status == status
    if status == 429:
        assert response.headers["Retry-After"] == "12"


def test_keyless_displays_control_only_when_the_owner_allows(linked_account: Account) -> None:
    keyless = linked_account.with_changes(keyless=True, scopes=CONTROL_SCOPE)
    with pytest.raises(RequestError) as refused:
        authorise_control(keyless, None, "192.168.1.20", BadKeyThrottle())
    assert refused.value.error == "controls_not_allowed"
    allowed = keyless.with_changes(keyless_control=True)
    authorise_control(allowed, None, "192.168.1.20", BadKeyThrottle())
    # A public address still needs the key, as for /get.
    with pytest.raises(RequestError) as public:
        authorise_control(allowed, None, "93.184.216.34", BadKeyThrottle())
    assert public.value.status == 401


def test_links_without_the_control_scope_are_asked_to_relink(linked_account: Account) -> None:
    old_link = linked_account.with_changes(scopes="user-read-playback-state")
    with pytest.raises(RequestError) as refused:
        authorise_control(old_link, linked_account.device_key, "127.0.0.1", BadKeyThrottle())
    assert refused.value.error == "relink_for_controls"
    authorise_control(
        old_link.with_changes(scopes=f"user-read-playback-state {CONTROL_SCOPE}"),
        linked_account.device_key,
        "127.0.0.1",
        BadKeyThrottle(),
    )
