"""The base entity: one service device per linked account, named from translations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import CONF_UID, DOMAIN
from .coordinator import SpotifyLCDCoordinator

if TYPE_CHECKING:
    from homeassistant.helpers.entity import EntityDescription


class SpotifyLCDEntity(CoordinatorEntity[SpotifyLCDCoordinator]):
    """An entity of the coordinator's account, described by `description`."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: SpotifyLCDCoordinator, description: EntityDescription) -> None:
        """The `description.key` entity of the coordinator's account."""
        super().__init__(coordinator)
        entry = coordinator.config_entry
        self.entity_description = description
        self._attr_unique_id = f"{entry.unique_id}_{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, str(entry.unique_id))},
            name=f"Spotify LCD {entry.data[CONF_UID]}",
            manufacturer="Spotify LCD",
            model="Now-playing display",
            entry_type=DeviceEntryType.SERVICE,
        )
