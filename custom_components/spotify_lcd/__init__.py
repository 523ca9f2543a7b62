"""Spotify LCD: Spotify's now playing for HD44780 displays, through Home Assistant."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.const import Platform
from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    ConfigEntryNotReady,
    HomeAssistantError,
)
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.config_entry_oauth2_flow import (
    AbstractOAuth2Implementation,
    OAuth2Session,
    async_get_config_entry_implementation,
)

from spotifylcd.access import BadKeyThrottle
from spotifylcd.poller import PollPolicy
from spotifylcd.source import SpotifyPlaybackSource
from spotifylcd.spotify import SpotifyClient
from spotifylcd.store import MongoTokenStore
from spotifylcd.store.base import DEFAULT_COLLECTION, DEFAULT_DATABASE
from spotifylcd.store.mirror import TokenMirror

from .const import (
    CONF_AUTHORIZED_AT,
    CONF_MONGODB_COLLECTION,
    CONF_MONGODB_DATABASE,
    CONF_MONGODB_URI,
    CONF_POLL_INTERVAL,
    CONF_ROM,
    CONF_STORAGE,
    DEFAULT_POLL_INTERVAL,
    DOMAIN,
    STORAGE_MONGODB,
)
from .coordinator import (
    SpotifyLCDConfigEntry,
    SpotifyLCDCoordinator,
    SpotifyLCDData,
    account_for,
    forbidden_issue_id,
)
from .repairs import controls_issue_id, show_controls_issue, token_issue_id, track_token_age
from .tokens import OAuthSessionTokens
from .view import SpotifyLCDControlView, SpotifyLCDGetView

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.typing import ConfigType

PLATFORMS = [Platform.BUTTON, Platform.IMAGE, Platform.SENSOR]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:  # noqa: ARG001
    """Register the displays' views once, for every entry."""
    # Displays asking while the rest starts get the contract's "offline", not HTTP's 404.
    throttle = BadKeyThrottle()
    hass.http.register_view(SpotifyLCDGetView(throttle))
    hass.http.register_view(SpotifyLCDControlView(throttle))
    return True


async def async_setup_entry(hass: HomeAssistant, entry: SpotifyLCDConfigEntry) -> bool:
    """Poll once through the library's engine (which maps every failure), then add entities."""
    implementation = await _implementation(hass, entry)
    mirror = _token_mirror(entry, implementation)
    if mirror is not None:
        entry.async_on_unload(mirror.close)
    tokens = OAuthSessionTokens(hass, entry, OAuth2Session(hass, entry, implementation), mirror)
    # Before the first poll: a token another writer rotated must win over refreshing ours.
    await tokens.adopt_newer()
    policy = PollPolicy(
        playing_interval=float(entry.options.get(CONF_POLL_INTERVAL, DEFAULT_POLL_INTERVAL))
    )
    source = SpotifyPlaybackSource(SpotifyClient(async_get_clientsession(hass)), tokens)
    coordinator = SpotifyLCDCoordinator(hass, entry, source, policy)
    await coordinator.async_config_entry_first_refresh()
    entry.runtime_data = SpotifyLCDData(coordinator)
    entry.async_on_unload(track_token_age(hass, entry))
    show_controls_issue(hass, entry, coordinator.account.can_control)
    entry.async_on_unload(entry.add_update_listener(_async_reload))
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def _implementation(
    hass: HomeAssistant, entry: SpotifyLCDConfigEntry
) -> AbstractOAuth2Implementation:
    """The entry's application credentials; their removal asks for a new link."""
    try:
        return await async_get_config_entry_implementation(hass, entry)
    except (ConfigEntryAuthFailed, ConfigEntryNotReady):
        raise
    except ValueError as err:
        # Before HA 2026.10 a removed application credential is a bare ValueError.
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="credentials_missing"
        ) from err
    except HomeAssistantError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN, translation_key="credentials_unavailable"
        ) from err


def _token_mirror(
    entry: SpotifyLCDConfigEntry, implementation: AbstractOAuth2Implementation
) -> TokenMirror | None:
    """With MongoDB storage: the account's document the standalone server reads."""
    options = entry.options
    if options.get(CONF_STORAGE) != STORAGE_MONGODB:
        return None
    store = MongoTokenStore(
        options[CONF_MONGODB_URI],
        options.get(CONF_MONGODB_DATABASE, DEFAULT_DATABASE),
        options.get(CONF_MONGODB_COLLECTION, DEFAULT_COLLECTION),
    )
    account = account_for(entry).with_changes(
        # Application credentials' implementation carries the app's id and secret.
        client_id=str(getattr(implementation, "client_id", "")),
        client_secret=str(getattr(implementation, "client_secret", "")),
        spotify_user_id=str(entry.unique_id or ""),
        linked_at=float(entry.data.get(CONF_AUTHORIZED_AT, 0.0)),
    )
    return TokenMirror(store, account)


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
    """Options, uid, key or the link changed: start over (token refreshes do not count)."""
    if entry.runtime_data.coordinator.settings_changed():
        await hass.config_entries.async_reload(entry.entry_id)


async def async_unload_entry(hass: HomeAssistant, entry: SpotifyLCDConfigEntry) -> bool:
    """Remove the entities; the view stays, answering as the contract says for this uid."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Take the entry's repair issues with it."""
    for issue_id in (forbidden_issue_id(entry), token_issue_id(entry), controls_issue_id(entry)):
        ir.async_delete_issue(hass, DOMAIN, issue_id)
