"""Config flow: Spotify OAuth, then the display's uid and its device key."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

import voluptuous as vol
from homeassistant.config_entries import (
    SOURCE_REAUTH,
    ConfigEntry,
    ConfigEntryState,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.core import callback
from homeassistant.helpers import config_entry_oauth2_flow
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from homeassistant.util import slugify

from spotifylcd.account import generate_device_key
from spotifylcd.exceptions import SpotifyError, StoreError
from spotifylcd.screen import SIZES
from spotifylcd.settings import overrides_from_lines
from spotifylcd.spotify import SCOPES, SpotifyClient
from spotifylcd.store import MongoTokenStore, is_mongodb_uri
from spotifylcd.store.base import DEFAULT_COLLECTION, DEFAULT_DATABASE
from spotifylcd.text import HanReading, JapaneseMode

from .const import (
    CONF_AUTHORIZED_AT,
    CONF_COUNTRY,
    CONF_DEVICE_KEY,
    CONF_HAN_READING,
    CONF_JAPANESE,
    CONF_KEYLESS,
    CONF_KEYLESS_CONTROL,
    CONF_MONGODB_COLLECTION,
    CONF_MONGODB_DATABASE,
    CONF_MONGODB_URI,
    CONF_OVERRIDES,
    CONF_POLL_INTERVAL,
    CONF_REGENERATE_KEY,
    CONF_ROM,
    CONF_SIZE,
    CONF_STORAGE,
    CONF_UID,
    CONF_USER_ID,
    DEFAULT_POLL_INTERVAL,
    DOMAIN,
    ROM_OPTIONS,
    STORAGE_HOME_ASSISTANT,
    STORAGE_MONGODB,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

MAX_UID_LENGTH = 64


class SpotifyLCDFlowHandler(config_entry_oauth2_flow.AbstractOAuth2FlowHandler, domain=DOMAIN):
    """Link a Spotify account and name the display that shows it."""

    DOMAIN = DOMAIN
    VERSION = 1
    # 1.2: the ROM option is stored lower case ("a00"), as selector translation keys must be.
    MINOR_VERSION = 2

    def __init__(self) -> None:
        """Start with nothing linked."""
        super().__init__()
        self._oauth_data: dict[str, Any] = {}
        self._display_name = ""
        self._device_key = generate_device_key()

    @property
    def logger(self) -> logging.Logger:
        """The flow's logger."""
        return logging.getLogger(__name__)

    @property
    def extra_authorize_data(self) -> dict[str, Any]:
        """Ask only for what a now-playing display needs."""
        return {"scope": " ".join(SCOPES)}

    async def async_oauth_create_entry(self, data: dict[str, Any]) -> ConfigFlowResult:
        """Identify the Spotify user, then ask for the display's uid (or finish reauth)."""
        client = SpotifyClient(async_get_clientsession(self.hass))
        try:
            user = await client.get_current_user(data["token"]["access_token"])
        except SpotifyError:
            self.logger.exception("Cannot read the Spotify profile")
            return self.async_abort(reason="connection_error")
        await self.async_set_unique_id(user.user_id)
        linked = {
            **data,
            CONF_USER_ID: user.user_id,
            CONF_COUNTRY: user.country,
            CONF_AUTHORIZED_AT: time.time(),
        }
        if self.source == SOURCE_REAUTH:
            self._abort_if_unique_id_mismatch(reason="wrong_account")
            return self._update_and_abort(self._get_reauth_entry(), linked, "reauth_successful")
        self._abort_if_unique_id_configured()
        self._oauth_data = linked
        self._display_name = user.display_name
        return await self.async_step_display()

    async def async_step_display(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The uid the ESP sends, and the device key to put in its secrets."""
        errors: dict[str, str] = {}
        if user_input is not None:
            uid = user_input[CONF_UID].strip()
            errors = self._uid_errors(uid, None)
            if not errors:
                return self.async_create_entry(
                    title=self._display_name,
                    data={**self._oauth_data, CONF_UID: uid, CONF_DEVICE_KEY: self._device_key},
                )
        return self.async_show_form(
            step_id="display",
            data_schema=vol.Schema(
                {vol.Required(CONF_UID, default=slugify(self._display_name) or "lcd"): str}
            ),
            description_placeholders={"device_key": self._device_key},
            errors=errors,
        )

    async def async_step_reauth(
        self,
        entry_data: Mapping[str, Any],  # noqa: ARG002
    ) -> ConfigFlowResult:
        """Spotify refused the refresh token: link the same account again."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Confirm before sending the user to Spotify."""
        if user_input is None:
            return self.async_show_form(
                step_id="reauth_confirm",
                description_placeholders={"uid": self._get_reauth_entry().data[CONF_UID]},
            )
        return await self.async_step_user()

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Rename the display's uid (the ESP's configuration must follow)."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            uid = user_input[CONF_UID].strip()
            errors = self._uid_errors(uid, entry.entry_id)
            if not errors:
                return self._update_and_abort(entry, {CONF_UID: uid}, "reconfigure_successful")
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=vol.Schema({vol.Required(CONF_UID, default=entry.data[CONF_UID]): str}),
            errors=errors,
        )

    def _update_and_abort(
        self, entry: ConfigEntry, data_updates: dict[str, Any], reason: str
    ) -> ConfigFlowResult:
        """Store the change; a loaded entry's update listener reloads it, others reload here.

        HA reports `async_update_reload_and_abort` on entries with an update listener (from
        2026.6, to stop working in 2026.12), and this integration needs its listener.
        """
        # Read before updating: the update listener of a loaded entry starts reloading at once.
        loaded = entry.state is ConfigEntryState.LOADED
        self.hass.config_entries.async_update_entry(entry, data={**entry.data, **data_updates})
        if not loaded:
            self.hass.config_entries.async_schedule_reload(entry.entry_id)
        return self.async_abort(reason=reason)

    def _uid_errors(self, uid: str, own_entry_id: str | None) -> dict[str, str]:
        if not uid or len(uid) > MAX_UID_LENGTH or not uid.isprintable():
            return {CONF_UID: "invalid_uid"}
        for entry in self._async_current_entries(include_ignore=False):
            if entry.entry_id != own_entry_id and entry.data.get(CONF_UID) == uid:
                return {CONF_UID: "uid_taken"}
        return {}

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlow:  # noqa: ARG004
        """The display options."""
        return SpotifyLCDOptionsFlow()


def _select(key: str, options: list[str]) -> SelectSelector:
    """A drop-down whose option labels come from the translations' `selector.<key>`."""
    return SelectSelector(
        SelectSelectorConfig(options=options, mode=SelectSelectorMode.DROPDOWN, translation_key=key)
    )


class SpotifyLCDOptionsFlow(OptionsFlow):
    """ROM, size, text, overrides, poll interval, keyless, key, token storage."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """One form for every option; a MongoDB store is checked by connecting to it."""
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = _override_errors(user_input) | await _storage_errors(user_input)
        if user_input is not None and not errors:
            if user_input.pop(CONF_REGENERATE_KEY, False):
                self.hass.config_entries.async_update_entry(
                    self.config_entry,
                    data={**self.config_entry.data, CONF_DEVICE_KEY: generate_device_key()},
                )
            return self.async_create_entry(data=user_input)
        options = user_input or self.config_entry.options
        schema = vol.Schema(
            {
                vol.Required(CONF_ROM, default=options.get(CONF_ROM, "a00")): _select(
                    CONF_ROM, list(ROM_OPTIONS)
                ),
                vol.Required(CONF_SIZE, default=options.get(CONF_SIZE, "16x2")): _select(
                    CONF_SIZE, list(SIZES)
                ),
                vol.Required(
                    CONF_JAPANESE, default=options.get(CONF_JAPANESE, JapaneseMode.ROMAJI.value)
                ): _select(CONF_JAPANESE, [mode.value for mode in JapaneseMode]),
                vol.Required(
                    CONF_HAN_READING, default=options.get(CONF_HAN_READING, HanReading.AUTO.value)
                ): _select(
                    CONF_HAN_READING, [r.value for r in HanReading if r is not HanReading.KOREAN]
                ),
                vol.Required(
                    CONF_POLL_INTERVAL,
                    default=options.get(CONF_POLL_INTERVAL, DEFAULT_POLL_INTERVAL),
                ): NumberSelector(
                    NumberSelectorConfig(min=2, max=60, step=1, mode=NumberSelectorMode.BOX)
                ),
                vol.Required(
                    CONF_KEYLESS, default=options.get(CONF_KEYLESS, False)
                ): BooleanSelector(),
                vol.Required(
                    CONF_KEYLESS_CONTROL, default=options.get(CONF_KEYLESS_CONTROL, False)
                ): BooleanSelector(),
                vol.Optional(
                    CONF_OVERRIDES, description={"suggested_value": options.get(CONF_OVERRIDES)}
                ): TextSelector(TextSelectorConfig(multiline=True)),
                vol.Required(CONF_REGENERATE_KEY, default=False): BooleanSelector(),
                vol.Required(
                    CONF_STORAGE, default=options.get(CONF_STORAGE, STORAGE_HOME_ASSISTANT)
                ): _select(CONF_STORAGE, [STORAGE_HOME_ASSISTANT, STORAGE_MONGODB]),
                vol.Optional(
                    CONF_MONGODB_URI,
                    description={"suggested_value": options.get(CONF_MONGODB_URI)},
                ): TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD)),
                vol.Required(
                    CONF_MONGODB_DATABASE,
                    default=options.get(CONF_MONGODB_DATABASE, DEFAULT_DATABASE),
                ): str,
                vol.Required(
                    CONF_MONGODB_COLLECTION,
                    default=options.get(CONF_MONGODB_COLLECTION, DEFAULT_COLLECTION),
                ): str,
            }
        )
        return self.async_show_form(
            step_id="init",
            data_schema=schema,
            description_placeholders={"device_key": self.config_entry.data[CONF_DEVICE_KEY]},
            errors=errors,
        )


def _override_errors(user_input: dict[str, Any]) -> dict[str, str]:
    """Each non-blank line of the overrides must read SOURCE=SHOWN."""
    try:
        overrides_from_lines(str(user_input.get(CONF_OVERRIDES) or ""))
    except ValueError:
        return {CONF_OVERRIDES: "invalid_overrides"}
    return {}


async def _storage_errors(user_input: dict[str, Any]) -> dict[str, str]:
    """MongoDB storage needs a URI that answers; Home Assistant storage needs nothing."""
    if user_input.get(CONF_STORAGE) != STORAGE_MONGODB:
        return {}
    uri = str(user_input.get(CONF_MONGODB_URI) or "")
    if not is_mongodb_uri(uri):
        return {CONF_MONGODB_URI: "invalid_mongodb_uri"}
    try:
        # A malformed URI is refused already here, before any connection.
        store = MongoTokenStore(
            uri, user_input[CONF_MONGODB_DATABASE], user_input[CONF_MONGODB_COLLECTION]
        )
    except StoreError:
        return {CONF_MONGODB_URI: "cannot_connect_mongodb"}
    try:
        await store.ping()
    except StoreError:
        return {CONF_MONGODB_URI: "cannot_connect_mongodb"}
    finally:
        await store.close()
    return {}
