"""Spotify LCD: Spotify's now playing for HD44780 displays, through Home Assistant."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.const import Platform
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.config_entry_oauth2_flow import (
    OAuth2Session,
    async_get_config_entry_implementation,
)

from spotifylcd.exceptions import StoreError
from spotifylcd.spotify import SpotifyClient
from spotifylcd.store import MongoTokenStore
from spotifylcd.store.mongodb import DEFAULT_COLLECTION, DEFAULT_DATABASE
from spotifylcd.text import load_tables

from .const import (
    CONF_MONGODB_COLLECTION,
    CONF_MONGODB_DATABASE,
    CONF_MONGODB_URI,
    CONF_ROM,
    CONF_STORAGE,
    DOMAIN,
    LOGGER,
    STORAGE_MONGODB,
)
from .coordinator import (
    SpotifyLCDConfigEntry,
    SpotifyLCDCoordinator,
    SpotifyLCDData,
    account_for,
)
from .repairs import track_token_age
from .token_mirror import MongoTokenMirror
from .view import SpotifyLCDGetView

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.typing import ConfigType

PLATFORMS = [Platform.IMAGE, Platform.SENSOR]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:  # noqa: ARG001
    """Load the text engine's dictionaries off the loop; register the `/get` view once."""
    # pykakasi, pypinyin and anyascii read their data files on first use: never in the loop.
    await hass.async_add_executor_job(load_tables)
    hass.http.register_view(SpotifyLCDGetView())
    return True


async def async_setup_entry(hass: HomeAssistant, entry: SpotifyLCDConfigEntry) -> bool:
    """Poll once (the coordinator checks the token and maps its errors), then add entities."""
    implementation = await async_get_config_entry_implementation(hass, entry)
    session = OAuth2Session(hass, entry, implementation)
    # Before the first refresh: a token another writer rotated must win over refreshing ours.
    mirror = await _token_mirror(hass, entry, session)
    coordinator = SpotifyLCDCoordinator(
        hass, entry, session, SpotifyClient(async_get_clientsession(hass)), mirror
    )
    await coordinator.async_config_entry_first_refresh()
    entry.runtime_data = SpotifyLCDData(coordinator)
    entry.async_on_unload(track_token_age(hass, entry))
    entry.async_on_unload(entry.add_update_listener(_async_reload))
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def _token_mirror(
    hass: HomeAssistant, entry: SpotifyLCDConfigEntry, session: OAuth2Session
) -> MongoTokenMirror | None:
    """With MongoDB storage: adopt a newer token found there (ours is published on use)."""
    options = entry.options
    if options.get(CONF_STORAGE) != STORAGE_MONGODB:
        return None
    store = MongoTokenStore(
        options[CONF_MONGODB_URI],
        options.get(CONF_MONGODB_DATABASE, DEFAULT_DATABASE),
        options.get(CONF_MONGODB_COLLECTION, DEFAULT_COLLECTION),
    )
    implementation = session.implementation
    account = account_for(entry).with_changes(
        client_id=str(getattr(implementation, "client_id", "")),
        client_secret=str(getattr(implementation, "client_secret", "")),
    )
    mirror = MongoTokenMirror(store, account)
    entry.async_on_unload(mirror.close)
    try:
        if newer := await mirror.adopt_newer(session.token):
            hass.config_entries.async_update_entry(entry, data={**entry.data, "token": newer})
    except StoreError as err:
        LOGGER.warning("%s: MongoDB token store unavailable: %s", account.uid, err)
    return mirror


async def async_migrate_entry(hass: HomeAssistant, entry: SpotifyLCDConfigEntry) -> bool:
    """1.1 → 1.2: the ROM option lower case ("A00" → "a00"), as its selector's keys are."""
    if entry.version > 1:
        return False
    if entry.minor_version < 2:  # noqa: PLR2004 - the minor version this step reaches
        options = dict(entry.options)
        if CONF_ROM in options:
            options[CONF_ROM] = str(options[CONF_ROM]).lower()
        hass.config_entries.async_update_entry(entry, options=options, minor_version=2)
    return True


async def _async_reload(hass: HomeAssistant, entry: SpotifyLCDConfigEntry) -> None:
    """Options, uid or key changed: start over with them (token refreshes do not count)."""
    if entry.runtime_data.coordinator.settings_changed():
        await hass.config_entries.async_reload(entry.entry_id)


async def async_unload_entry(hass: HomeAssistant, entry: SpotifyLCDConfigEntry) -> bool:
    """Remove the entities; the view stays, answering 404 for this uid."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
