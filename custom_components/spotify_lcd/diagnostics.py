"""Diagnostics with every secret redacted."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from homeassistant.components.diagnostics import async_redact_data

from .const import CONF_DEVICE_KEY

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from .coordinator import SpotifyLCDConfigEntry

# `auth_implementation` names the application credential, whose id holds the client id; the
# title is the Spotify display name.
TO_REDACT = {
    "auth_implementation",
    "title",
    "token",
    "access_token",
    "refresh_token",
    "client_secret",
    "client_id",
    # The playback's device: often named after its owner ("Anna's iPhone").
    "device_name",
    CONF_DEVICE_KEY,
    "mongodb_uri",
    "user_id",
    "unique_id",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant,  # noqa: ARG001
    entry: SpotifyLCDConfigEntry,
) -> dict[str, Any]:
    """The entry, its options and the last playback, without tokens or keys."""
    coordinator = entry.runtime_data.coordinator
    snapshot = coordinator.snapshot()
    return {
        "entry": async_redact_data(entry.as_dict(), TO_REDACT),
        "status": snapshot.status.value,
        "last_update_success": coordinator.last_update_success,
        "update_interval": str(coordinator.update_interval),
        "playback": dataclasses.asdict(snapshot.playback) if snapshot.playback else None,
    }
