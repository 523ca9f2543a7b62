"""Constants for the Spotify LCD integration."""

from __future__ import annotations

import logging
from typing import Final

from spotifylcd.hd44780.rom import Rom

DOMAIN: Final = "spotify_lcd"
LOGGER = logging.getLogger(__package__)

CONF_UID: Final = "uid"
CONF_DEVICE_KEY: Final = "device_key"
CONF_USER_ID: Final = "user_id"
CONF_COUNTRY: Final = "country"
CONF_AUTHORIZED_AT: Final = "authorized_at"

CONF_ROM: Final = "rom"
CONF_SIZE: Final = "size"
CONF_JAPANESE: Final = "japanese"
CONF_HAN_READING: Final = "han_reading"
CONF_POLL_INTERVAL: Final = "poll_interval"
CONF_KEYLESS: Final = "keyless"
CONF_KEYLESS_CONTROL: Final = "keyless_control"
CONF_REGENERATE_KEY: Final = "regenerate_key"
CONF_OVERRIDES: Final = "overrides"

CONF_STORAGE: Final = "storage"
CONF_MONGODB_URI: Final = "mongodb_uri"
CONF_MONGODB_DATABASE: Final = "mongodb_database"
CONF_MONGODB_COLLECTION: Final = "mongodb_collection"
STORAGE_HOME_ASSISTANT: Final = "home_assistant"
STORAGE_MONGODB: Final = "mongodb"

DEFAULT_POLL_INTERVAL: Final = 5
# Option values are translation keys, which must be lower case: "a00" stands for ROM A00.
ROM_OPTIONS: Final = {rom.value.lower(): rom for rom in Rom}
VIEW_URL: Final = "/api/spotify_lcd/get"
CONTROL_URL: Final = "/api/spotify_lcd/control"
