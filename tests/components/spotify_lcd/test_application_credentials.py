"""Spotify's OAuth endpoints and the setup text shown with the credentials form."""

from __future__ import annotations

import pytest
from custom_components.spotify_lcd.application_credentials import (
    async_get_authorization_server,
    async_get_description_placeholders,
)
from homeassistant.core import HomeAssistant

from .conftest import AUTHORIZE_URL, TOKEN_URL


async def test_authorization_server(hass: HomeAssistant) -> None:
    server = await async_get_authorization_server(hass)
    assert (server.authorize_url, server.token_url) == (AUTHORIZE_URL, TOKEN_URL)


async def test_endpoints_follow_the_library_override(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPOTIFY_LCD_ACCOUNTS_URL", "http://127.0.0.1:9")
    server = await async_get_authorization_server(hass)
    assert server.token_url == "http://127.0.0.1:9/api/token"


async def test_placeholders_name_the_redirect_uri(hass: HomeAssistant) -> None:
    placeholders = await async_get_description_placeholders(hass)
    assert placeholders["redirect_url"] == "https://my.home-assistant.io/redirect/oauth"
