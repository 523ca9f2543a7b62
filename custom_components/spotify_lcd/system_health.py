"""System health: whether Spotify answers, and how the accounts are doing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components import system_health
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import callback

from spotifylcd.spotify import SpotifyEndpoints
from spotifylcd.status import AccountStatus

from .const import DOMAIN

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant


@callback
def async_register(
    hass: HomeAssistant,  # noqa: ARG001
    register: system_health.SystemHealthRegistration,
) -> None:
    """Register the info callback."""
    register.async_register_info(system_health_info)


async def system_health_info(hass: HomeAssistant) -> dict[str, Any]:
    """Spotify reachability and the accounts' link states."""
    entries = hass.config_entries.async_entries(DOMAIN)
    loaded = [entry for entry in entries if entry.state is ConfigEntryState.LOADED]
    return {
        "can_reach_spotify": system_health.async_check_can_reach_url(
            hass, SpotifyEndpoints.from_env().api_url
        ),
        "accounts": len(entries),
        "accounts_polling": len(loaded),
        "accounts_needing_relink": sum(
            entry.runtime_data.coordinator.snapshot().status is AccountStatus.NEEDS_RELINK
            for entry in loaded
        ),
    }
