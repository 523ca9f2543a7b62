"""The config flow: OAuth with application credentials, the display step, reauth, options."""

from __future__ import annotations

import json
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
from custom_components.spotify_lcd.const import (
    CONF_DEVICE_KEY,
    CONF_HAN_READING,
    CONF_JAPANESE,
    CONF_KEYLESS,
    CONF_POLL_INTERVAL,
    CONF_REGENERATE_KEY,
    CONF_ROM,
    CONF_SIZE,
    CONF_UID,
    DOMAIN,
)
from custom_components.spotify_lcd.coordinator import account_for
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState, ConfigFlowResult
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import config_entry_oauth2_flow
from homeassistant.helpers.selector import SelectSelector
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from .conftest import API, AUTHORIZE_URL, CLIENT_ID, ME, TOKEN_URL, SetUp

REDIRECT = "https://example.com/auth/external/callback"
TRANSLATIONS = (
    Path(__file__).parents[3] / "custom_components" / "spotify_lcd" / "translations" / "en.json"
)


async def _authorize(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    aioclient_mock: AiohttpClientMocker,
    result: ConfigFlowResult,
    me: dict[str, Any] = ME,
) -> ConfigFlowResult:
    """Follow the external step: Spotify's page, the callback, the token, the profile."""
    state = config_entry_oauth2_flow._encode_jwt(
        hass, {"flow_id": result["flow_id"], "redirect_uri": REDIRECT}
    )
    assert result["type"] is FlowResultType.EXTERNAL_STEP
    assert result["url"].startswith(AUTHORIZE_URL)
    assert f"client_id={CLIENT_ID}" in result["url"]
    assert "scope=user-read-playback-state+user-read-currently-playing" in result["url"]
    client = await hass_client_no_auth()
    response = await client.get(f"/auth/external/callback?code=abcd&state={state}")
    assert response.status == HTTPStatus.OK
    aioclient_mock.post(
        TOKEN_URL,
        json={
            "refresh_token": "refresh-1",
            "access_token": "access-1",
            "token_type": "Bearer",
            "expires_in": 3600,
            "scope": "user-read-playback-state user-read-currently-playing",
        },
    )
    aioclient_mock.get(f"{API}/me", json=me)
    return await hass.config_entries.flow.async_configure(result["flow_id"])


@pytest.mark.usefixtures("current_request_with_host", "setup_credentials")
async def test_full_flow(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await _authorize(hass, hass_client_no_auth, aioclient_mock, result)
    assert (result["type"], result["step_id"]) == (FlowResultType.FORM, "display")
    placeholders, schema = result["description_placeholders"], result["data_schema"]
    assert placeholders is not None
    assert schema is not None
    key = placeholders["device_key"]
    assert len(key) >= 22
    # The uid defaults to the display name, slugified.
    assert schema({})[CONF_UID] == "wiz_zler"

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_UID: " kitchen "}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    assert (entry.unique_id, entry.title) == ("wizzler", "Wiz Zler")
    assert entry.data[CONF_UID] == "kitchen"
    assert entry.data[CONF_DEVICE_KEY] == key
    assert entry.data["token"]["refresh_token"] == "refresh-1"
    assert entry.data["country"] == ""


@pytest.mark.usefixtures("current_request_with_host", "setup_credentials")
@pytest.mark.parametrize(
    ("uid", "error"), [("", "invalid_uid"), ("x" * 65, "invalid_uid"), ("taken", "uid_taken")]
)
async def test_display_step_refuses_bad_uids(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    aioclient_mock: AiohttpClientMocker,
    uid: str,
    error: str,
) -> None:
    MockConfigEntry(domain=DOMAIN, unique_id="someone-else", data={CONF_UID: "taken"}).add_to_hass(
        hass
    )
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await _authorize(hass, hass_client_no_auth, aioclient_mock, result)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_UID: uid})
    assert (result["type"], result["errors"]) == (FlowResultType.FORM, {CONF_UID: error})


@pytest.mark.usefixtures("current_request_with_host", "setup_credentials")
async def test_same_account_cannot_be_added_twice(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    aioclient_mock: AiohttpClientMocker,
    config_entry: MockConfigEntry,
) -> None:
    config_entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await _authorize(hass, hass_client_no_auth, aioclient_mock, result)
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "already_configured")


@pytest.mark.usefixtures("current_request_with_host", "setup_credentials")
async def test_profile_failure_aborts(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    state = config_entry_oauth2_flow._encode_jwt(
        hass, {"flow_id": result["flow_id"], "redirect_uri": REDIRECT}
    )
    client = await hass_client_no_auth()
    await client.get(f"/auth/external/callback?code=abcd&state={state}")
    aioclient_mock.post(
        TOKEN_URL,
        json={"refresh_token": "r", "access_token": "a", "type": "Bearer", "expires_in": 60},
    )
    aioclient_mock.get(f"{API}/me", status=500)
    result = await hass.config_entries.flow.async_configure(result["flow_id"])
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "connection_error")


@pytest.mark.usefixtures("current_request_with_host", "setup_credentials")
@pytest.mark.parametrize(
    ("user_id", "reason"), [("wizzler", "reauth_successful"), ("intruder", "wrong_account")]
)
async def test_reauth(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    aioclient_mock: AiohttpClientMocker,
    config_entry: MockConfigEntry,
    user_id: str,
    reason: str,
) -> None:
    config_entry.add_to_hass(hass)
    result = await config_entry.start_reauth_flow(hass)
    assert (result["type"], result["step_id"]) == (FlowResultType.FORM, "reauth_confirm")
    assert result["description_placeholders"]["uid"] == "livingroom"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    result = await _authorize(
        hass, hass_client_no_auth, aioclient_mock, result, {**ME, "id": user_id}
    )
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, reason)
    relinked = reason == "reauth_successful"
    assert (config_entry.data["token"]["access_token"] == "access-1") is relinked
    assert config_entry.data[CONF_UID] == "livingroom"


async def test_reconfigure_renames_the_display(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    config_entry.add_to_hass(hass)
    MockConfigEntry(domain=DOMAIN, unique_id="other", data={CONF_UID: "taken"}).add_to_hass(hass)
    result = await config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_UID: "taken"})
    assert result["errors"] == {CONF_UID: "uid_taken"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_UID: "study"})
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "reconfigure_successful")
    assert config_entry.data[CONF_UID] == "study"


async def test_options_and_new_device_key(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    config_entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(config_entry.entry_id)
    assert result["description_placeholders"] == {"device_key": config_entry.data[CONF_DEVICE_KEY]}
    old_key = config_entry.data[CONF_DEVICE_KEY]
    options = {
        CONF_ROM: "a02",
        CONF_SIZE: "20x4",
        CONF_JAPANESE: "katakana",
        CONF_HAN_READING: "japanese",
        CONF_POLL_INTERVAL: 10,
        CONF_KEYLESS: True,
    }
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**options, CONF_REGENERATE_KEY: True}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert dict(config_entry.options) == {
        **options,
        "keyless_control": False,
        "storage": "home_assistant",
        "mongodb_database": "spotify-db",
        "mongodb_collection": "user",
    }
    assert config_entry.data[CONF_DEVICE_KEY] != old_key


async def test_every_option_choice_has_a_label(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    config_entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(config_entry.entry_id)
    translations = json.loads(TRANSLATIONS.read_text())["selector"]
    schema = result["data_schema"]
    assert schema is not None
    selects = {
        str(key): value.config
        for key, value in schema.schema.items()
        if isinstance(value, SelectSelector)
    }
    assert set(selects) == {"rom", "size", "japanese", "han_reading", "storage"}
    for key, config in selects.items():
        assert config["translation_key"] == key
        labels = translations[key]["options"]
        # Users read these labels, not the raw values (`home_assistant`, `romaji`, ...).
        assert set(labels) == set(config["options"]), key
        assert all(label and label != value for value, label in labels.items()), key


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ("紅蓮華=Gurenge\n\nLiSA = LiSA (JP)", None),
        ("no equals sign", "invalid_overrides"),
        ("=Gurenge", "invalid_overrides"),
        ("紅蓮華=", "invalid_overrides"),
    ],
)
async def test_title_overrides_are_set_in_the_options(
    hass: HomeAssistant, config_entry: MockConfigEntry, overrides: str, error: str | None
) -> None:
    config_entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(config_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_ROM: "a00",
            CONF_SIZE: "16x2",
            CONF_JAPANESE: "romaji",
            CONF_HAN_READING: "auto",
            CONF_POLL_INTERVAL: 5,
            CONF_KEYLESS: False,
            "overrides": overrides,
        },
    )
    if error is not None:
        assert result["errors"] == {"overrides": error}
        return
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert account_for(config_entry).overrides == {"紅蓮華": "Gurenge", "LiSA": "LiSA (JP)"}


@pytest.mark.usefixtures("playing")
async def test_reconfiguring_a_loaded_entry_reloads_it_once(
    hass: HomeAssistant,
    set_up: SetUp,
    aioclient_mock: AiohttpClientMocker,
    caplog: pytest.LogCaptureFixture,
) -> None:
    entry = await set_up()
    polls = sum("/me/player" in str(call[1]) for call in aioclient_mock.mock_calls)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_UID: "study"})
    await hass.async_block_till_done()
    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, "reconfigure_successful")
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.coordinator.account.uid == "study"
    # One reload, one first poll (a second reload would poll again).
    assert sum("/me/player" in str(call[1]) for call in aioclient_mock.mock_calls) == polls + 1
    # HA 2026.6+ reports async_update_reload_and_abort on entries with an update listener.
    assert "update listener" not in caplog.text
