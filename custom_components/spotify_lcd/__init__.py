"""Spotify LCD: Spotify's now playing for HD44780 displays, through Home Assistant."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import ClientError, ClientResponseError
from homeassistant.const import Platform
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.config_entry_oauth2_flow import (
    OAuth2Session,
    async_get_config_entry_implementation,
)

from spotifylcd.spotify import SpotifyClient

from .const import DOMAIN
from .coordinator import SpotifyLCDConfigEntry, SpotifyLCDCoordinator, SpotifyLCDData
from .repairs import check_token_age
from .view import SpotifyLCDGetView

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.typing import ConfigType

PLATFORMS = [Platform.IMAGE, Platform.SENSOR]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:  # noqa: ARG001
    """Register the `/get` view once, for every entry."""
    hass.http.register_view(SpotifyLCDGetView())
    return True


async def async_setup_entry(hass: HomeAssistant, entry: SpotifyLCDConfigEntry) -> bool:
    """Check the token, poll once, then add the entities."""
    implementation = await async_get_config_entry_implementation(hass, entry)
    session = OAuth2Session(hass, entry, implementation)
    try:
        await session.async_ensure_token_valid()
    except ClientResponseError as err:
        if 400 <= err.status < 500:  # noqa: PLR2004 - Spotify refused the refresh token
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="reauth_required"
            ) from err
        raise ConfigEntryNotReady(translation_domain=DOMAIN, translation_key="unavailable") from err
    except ClientError as err:
        raise ConfigEntryNotReady(translation_domain=DOMAIN, translation_key="unavailable") from err
    coordinator = SpotifyLCDCoordinator(
        hass, entry, session, SpotifyClient(async_get_clientsession(hass))
    )
    await coordinator.async_config_entry_first_refresh()
    entry.runtime_data = SpotifyLCDData(coordinator)
    check_token_age(hass, entry)
    entry.async_on_unload(entry.add_update_listener(_async_reload))
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def _async_reload(hass: HomeAssistant, entry: SpotifyLCDConfigEntry) -> None:
    """Options changed (ROM, size, key...): start over with them."""
    await hass.config_entries.async_reload(entry.entry_id)


async def async_unload_entry(hass: HomeAssistant, entry: SpotifyLCDConfigEntry) -> bool:
    """Remove the entities; the view stays, answering 404 for this uid."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
