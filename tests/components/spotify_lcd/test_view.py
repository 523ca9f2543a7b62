"""The `/get`-compatible view: same payloads as the standalone server, every bad input."""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from spotifylcd.contract import MAX_BODY_BYTES
from spotifylcd.payload import v1_payload
from spotifylcd.playback import Playback
from spotifylcd.status import AccountStatus, Snapshot

from .conftest import DEVICE_KEY, PLAYER_URL, TOKEN_URL, SetUp

URL = "/api/spotify_lcd/get"


@pytest.mark.usefixtures("playing")
async def test_v1_matches_the_library_payload(
    hass: HomeAssistant,
    set_up: SetUp,
    hass_client_no_auth: ClientSessionGenerator,
    playing: dict[str, Any],
) -> None:
    await set_up()
    client = await hass_client_no_auth()
    response = await client.post(URL, data={"uid": "livingroom", "key": DEVICE_KEY})
    assert response.status == 200
    body = await response.json()
    expected = v1_payload(Snapshot(AccountStatus.OK, Playback.from_spotify(playing, 0.0)), 0.0)
    # Same strings and shape; progress moves with time.
    assert {k: v for k, v in body.items() if k not in ("timer", "current")} == {
        k: v for k, v in expected.items() if k not in ("timer", "current")
    }
    assert body["current"] >= playing["progress_ms"]


@pytest.mark.usefixtures("playing")
async def test_v2_for_the_displays_rom(
    hass: HomeAssistant, set_up: SetUp, hass_client_no_auth: ClientSessionGenerator
) -> None:
    await set_up()
    client = await hass_client_no_auth()
    response = await client.post(
        URL, data={"uid": "livingroom", "key": DEVICE_KEY, "v": "2", "rom": "A02", "size": "20x4"}
    )
    body = await response.json()
    assert (body["v"], body["state"], body["rom"], body["cols"], body["title"]) == (
        2,
        "playing",
        "A02",
        20,
        "Paparazzi",
    )


@pytest.mark.usefixtures("playing")
@pytest.mark.parametrize(
    ("method", "kwargs", "status", "error"),
    [
        ("POST", {"data": {}}, 400, "missing_uid"),
        ("POST", {"data": {"uid": "x" * 65}}, 400, "invalid_uid"),
        ("POST", {"data": {"uid": "nobody"}}, 404, "unknown_uid"),
        ("POST", {"data": {"uid": "livingroom"}}, 401, "missing_key"),
        ("POST", {"data": {"uid": "livingroom", "key": "nope"}}, 403, "wrong_key"),
        (
            "POST",
            {"data": {"uid": "livingroom", "key": DEVICE_KEY, "v": "9"}},
            400,
            "unsupported_version",
        ),
        (
            "POST",
            {"data": {"uid": "livingroom", "key": DEVICE_KEY, "v": "2", "rom": "Z"}},
            400,
            "invalid_rom",
        ),
        ("POST", {"data": {"uid": "x" * (MAX_BODY_BYTES + 1)}}, 413, "body_too_large"),
        ("POST", {"json": {"uid": "livingroom"}}, 415, "unsupported_media_type"),
        (
            "POST",
            {"data": b"uid=\xff", "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
            400,
            "invalid_encoding",
        ),
        ("GET", {}, 405, "method_not_allowed"),
    ],
)
async def test_bad_requests(
    hass: HomeAssistant,
    set_up: SetUp,
    hass_client_no_auth: ClientSessionGenerator,
    method: str,
    kwargs: dict[str, Any],
    status: int,
    error: str,
) -> None:
    await set_up()
    client = await hass_client_no_auth()
    response = await client.request(method, URL, **kwargs)
    assert response.status == status
    assert (await response.json())["error"] == error


async def test_stale_and_relink_answers(
    hass: HomeAssistant,
    set_up: SetUp,
    hass_client_no_auth: ClientSessionGenerator,
    aioclient_mock: AiohttpClientMocker,
    playing: dict[str, Any],
) -> None:
    entry = await set_up()
    coordinator = entry.runtime_data.coordinator
    client = await hass_client_no_auth()
    aioclient_mock.clear_requests()
    aioclient_mock.get(PLAYER_URL, status=503)
    await coordinator.async_refresh()
    body = await (
        await client.post(URL, data={"uid": "livingroom", "key": DEVICE_KEY, "v": "2"})
    ).json()
    assert (body["stale"], body["title"]) == (True, "Paparazzi")
    aioclient_mock.clear_requests()
    aioclient_mock.get(PLAYER_URL, status=401)
    aioclient_mock.post(
        "https://accounts.spotify.com/api/token", status=400, json={"error": "invalid_grant"}
    )
    await coordinator.async_refresh()
    body = await (await client.post(URL, data={"uid": "livingroom", "key": DEVICE_KEY})).json()
    assert body == {"api_response": 401}


@pytest.mark.usefixtures("playing")
async def test_keyless_legacy_mode_from_loopback(
    hass: HomeAssistant, set_up: SetUp, hass_client_no_auth: ClientSessionGenerator
) -> None:
    entry = await set_up()
    hass.config_entries.async_update_entry(entry, options={"keyless": True})
    await hass.async_block_till_done()  # the options listener reloads the entry
    client = await hass_client_no_auth()
    body = await (await client.post(URL, data={"uid": "livingroom"})).json()
    assert body["song_title"] == "Paparazzi"


@pytest.mark.usefixtures("playing", "setup_credentials")
async def test_one_view_serves_every_entry(
    hass: HomeAssistant, config_entry: Any, hass_client_no_auth: ClientSessionGenerator
) -> None:
    second = MockConfigEntry(
        domain=config_entry.domain,
        unique_id="someone-else",
        data={**config_entry.data, "uid": "kitchen", "device_key": "kitchen-key"},
    )
    for entry in (config_entry, second):
        entry.add_to_hass(hass)
        await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    client = await hass_client_no_auth()
    for uid, key in (("livingroom", DEVICE_KEY), ("kitchen", "kitchen-key")):
        body = await (await client.post(URL, data={"uid": uid, "key": key})).json()
        assert body["song_title"] == "Paparazzi"
    # Unloading one entry leaves the other served, and the first known but offline.
    await hass.config_entries.async_unload(config_entry.entry_id)
    response = await client.post(URL, data={"uid": "livingroom", "key": DEVICE_KEY})
    assert (response.status, await response.json()) == (200, {"api_response": 503})
    assert (await client.post(URL, data={"uid": "kitchen", "key": "kitchen-key"})).status == 200
    response = await client.post(URL, data={"uid": "nobody", "key": DEVICE_KEY})
    assert response.status == 404


@pytest.mark.parametrize(
    ("token_reply", "state", "v1", "v2_state"),
    [
        # Spotify revoked the refresh token before HA started: re-link.
        ({"status": 400, "json": {"error": "invalid_grant"}}, "setup_error", 401, "relink"),
        # Spotify cannot be reached at start: set-up is retried meanwhile.
        ({"status": 503}, "setup_retry", 503, "offline"),
    ],
)
@pytest.mark.usefixtures("setup_credentials")
async def test_entry_not_loaded_answers_as_the_contract_says(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    hass_client_no_auth: ClientSessionGenerator,
    token_reply: dict[str, Any],
    state: str,
    v1: int,
    v2_state: str,
) -> None:
    config_entry.data["token"]["expires_at"] = 0
    aioclient_mock.post(TOKEN_URL, **token_reply)
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state.value == state
    client = await hass_client_no_auth()
    response = await client.post(URL, data={"uid": "livingroom"})
    assert response.status == 401  # the device key is still required
    fields = {"uid": "livingroom", "key": DEVICE_KEY}
    assert await (await client.post(URL, data=fields)).json() == {"api_response": v1}
    body = await (await client.post(URL, data={**fields, "v": "2"})).json()
    assert body["state"] == v2_state
