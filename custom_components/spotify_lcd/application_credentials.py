"""Spotify's OAuth endpoints; users bring their own Spotify app (client id and secret)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.application_credentials import AuthorizationServer

from spotifylcd.spotify import SpotifyEndpoints

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant


async def async_get_authorization_server(hass: HomeAssistant) -> AuthorizationServer:  # noqa: ARG001
    """Spotify's authorize and token URLs (overridable like the library's, for tests)."""
    endpoints = SpotifyEndpoints.from_env()
    return AuthorizationServer(authorize_url=endpoints.authorize_url, token_url=endpoints.token_url)


async def async_get_description_placeholders(hass: HomeAssistant) -> dict[str, str]:  # noqa: ARG001
    """Where users create their Spotify app, and the redirect URI it must allow."""
    return {
        "developer_dashboard_url": "https://developer.spotify.com/dashboard",
        "redirect_url": "https://my.home-assistant.io/redirect/oauth",
    }
