"""The base entity: one service device per linked account."""

from __future__ import annotations

from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import CONF_UID, DOMAIN
from .coordinator import SpotifyLCDCoordinator


class SpotifyLCDEntity(CoordinatorEntity[SpotifyLCDCoordinator]):
    """Named from translations, grouped under the account's service device."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: SpotifyLCDCoordinator, key: str) -> None:
        """Entity `key` of the coordinator's account."""
        super().__init__(coordinator)
        entry = coordinator.config_entry
        self._attr_translation_key = key
        self._attr_unique_id = f"{entry.unique_id}_{key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, str(entry.unique_id))},
            name=f"Spotify LCD {entry.data[CONF_UID]}",
            manufacturer="Spotify LCD",
            model="Now-playing display",
            entry_type=DeviceEntryType.SERVICE,
        )
