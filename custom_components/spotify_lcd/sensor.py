"""Sensors: what is playing (with the LCD lines), and the playback state."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Final

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity
from homeassistant.core import callback
from homeassistant.util import dt as dt_util

from spotifylcd.hd44780.rom import Rom
from spotifylcd.payload import v2_payload
from spotifylcd.playback import Playback, PlaybackKind
from spotifylcd.preview import readable_row
from spotifylcd.screen import render
from spotifylcd.status import AccountStatus, Snapshot

from .entity import SpotifyLCDEntity

if TYPE_CHECKING:
    from datetime import datetime

    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .coordinator import SpotifyLCDConfigEntry, SpotifyLCDCoordinator

PARALLEL_UPDATES = 0
# A position further than this from the extrapolated one is a seek.
SEEK_TOLERANCE_MS: Final = 3000
PLAYBACK_STATES: Final = ["playing", "paused", "idle", "ad", "unavailable"]


async def async_setup_entry(
    hass: HomeAssistant,  # noqa: ARG001
    entry: SpotifyLCDConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """One now-playing and one playback-state sensor per account."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities([NowPlayingSensor(coordinator), PlaybackStateSensor(coordinator)])


def playback_state(coordinator: SpotifyLCDCoordinator) -> str:
    """Playing / paused / idle / ad / unavailable."""
    snapshot = coordinator.snapshot()
    playback = snapshot.playback
    if snapshot.status is not AccountStatus.OK or playback is None:
        return "unavailable"
    if playback.kind is PlaybackKind.IDLE:
        return "idle"
    if playback.kind is PlaybackKind.AD:
        return "ad"
    return "playing" if playback.is_playing else "paused"


class PlaybackStateSensor(SpotifyLCDEntity, SensorEntity):
    """The player's state as an enum, for automations."""

    _attr_device_class = SensorDeviceClass.ENUM
    _attr_options = PLAYBACK_STATES

    def __init__(self, coordinator: SpotifyLCDCoordinator) -> None:
        """The playback-state sensor of `coordinator`'s account."""
        super().__init__(coordinator, "playback_state")

    @property
    def available(self) -> bool:
        """Always: "unavailable" is one of the states it reports."""
        return True

    @property
    def native_value(self) -> str:
        """The current state."""
        return playback_state(self.coordinator)


class NowPlayingSensor(SpotifyLCDEntity, SensorEntity):
    """The title as Spotify gives it; attributes change only when the item does (or a seek)."""

    def __init__(self, coordinator: SpotifyLCDCoordinator) -> None:
        """The now-playing sensor of `coordinator`'s account."""
        super().__init__(coordinator, "now_playing")
        self._shown: Playback | None = None
        self._position_ms = 0
        self._position_updated_at: datetime | None = None
        self._attributes: dict[str, Any] = {}
        self._track(coordinator.data.playback if coordinator.data else None)

    @callback
    def _handle_coordinator_update(self) -> None:
        self._track(self.coordinator.data.playback if self.coordinator.data else None)
        super()._handle_coordinator_update()

    def _track(self, playback: Playback | None) -> None:
        if playback is None or playback.kind in (PlaybackKind.IDLE, PlaybackKind.UNKNOWN):
            self._shown, self._attributes = None, {}
            return
        changed = not playback.same_item(self._shown) or self._shown is None
        if not changed and self._shown is not None:
            expected = self._shown.progress_at(playback.fetched_at)
            changed = (
                abs(playback.progress_ms - expected) > SEEK_TOLERANCE_MS
                or playback.is_playing != self._shown.is_playing
            )
        if not changed:
            return
        self._shown = playback
        self._position_ms = playback.progress_ms
        self._position_updated_at = dt_util.utcnow()
        self._attributes = self._attributes_for(playback)

    def _attributes_for(self, playback: Playback) -> dict[str, Any]:
        settings = self.coordinator.account.display_settings()
        payload = self.coordinator.still_payload(playback)
        # For ESPHome's native-API variant: the v2 payload as of this item, progress at fetch.
        live = v2_payload(Snapshot(AccountStatus.OK, playback), playback.fetched_at, settings)
        return {
            "artists": list(playback.artists),
            "album": playback.album,
            "device": playback.device_name,
            "kind": playback.kind.value,
            "duration": playback.duration_ms / 1000,
            "position": self._position_ms / 1000,
            "position_updated_at": self._position_updated_at,
            "lcd_lines": [readable_row(row, Rom(settings.rom)) for row in render(payload, 0, 0)],
            "lcd_payload": json.dumps(live, separators=(",", ":"), ensure_ascii=False),
        }

    @property
    def native_value(self) -> str | None:
        """The title, untransliterated."""
        return self._shown.title if self._shown is not None else None

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Artists, album, device, kind, duration, position and the LCD's lines."""
        return self._attributes
