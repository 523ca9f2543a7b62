"""Sensors: what is playing (with the LCD's view of it), and the playback state."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
)
from homeassistant.core import callback
from homeassistant.util import dt as dt_util

from spotifylcd.playback import Playback, PlaybackKind
from spotifylcd.preview import readable_row
from spotifylcd.screen import render

from .entity import SpotifyLCDEntity

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
    from homeassistant.helpers.typing import StateType

    from spotifylcd.arduinojson import Json

    from .coordinator import SpotifyLCDConfigEntry, SpotifyLCDCoordinator

PARALLEL_UPDATES = 0
# A position further than this from the extrapolated one is a seek.
SEEK_TOLERANCE_MS: Final = 3000
SHOWN_KINDS: Final = frozenset({PlaybackKind.TRACK, PlaybackKind.EPISODE, PlaybackKind.AD})
# Payload fields that move with the clock: a change of only these is no new screen.
_CLOCK_FIELDS: Final = frozenset({"progress", "next_poll"})


@dataclass(frozen=True, kw_only=True)
class SpotifyLCDSensorEntityDescription(SensorEntityDescription):
    """A sensor whose state is a function of the account's last playback."""

    value_fn: Callable[[Playback], StateType]


def _title(playback: Playback) -> str | None:
    return playback.title or None if playback.kind in SHOWN_KINDS else None


def _playback_state(playback: Playback) -> str | None:
    if playback.kind is PlaybackKind.IDLE:
        return "idle"
    if playback.kind is PlaybackKind.AD:
        return "ad"
    if playback.kind is PlaybackKind.UNKNOWN:
        return None
    return "playing" if playback.is_playing else "paused"


NOW_PLAYING: Final = SpotifyLCDSensorEntityDescription(
    key="now_playing", translation_key="now_playing", value_fn=_title
)
PLAYBACK_STATE: Final = SpotifyLCDSensorEntityDescription(
    key="playback_state",
    translation_key="playback_state",
    device_class=SensorDeviceClass.ENUM,
    options=["playing", "paused", "idle", "ad"],
    value_fn=_playback_state,
)


async def async_setup_entry(
    hass: HomeAssistant,  # noqa: ARG001
    entry: SpotifyLCDConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """One now-playing and one playback-state sensor per account."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(
        [NowPlayingSensor(coordinator), SpotifyLCDSensor(coordinator, PLAYBACK_STATE)]
    )


class SpotifyLCDSensor(SpotifyLCDEntity, SensorEntity):
    """A sensor of the account's playback; unavailable while Spotify cannot be read."""

    entity_description: SpotifyLCDSensorEntityDescription

    @property
    def native_value(self) -> StateType:
        """The description's value of the last playback."""
        playback = self.coordinator.data.playback if self.coordinator.data else None
        return self.entity_description.value_fn(playback) if playback else None


class NowPlayingSensor(SpotifyLCDSensor):
    """The title as Spotify gives it; attributes change with the item, a pause or a seek.

    `lcd_payload` and `lcd_lines` follow what the display shows in every state (idle,
    stale, re-link, …), for the ESPHome variant that reads them instead of polling.
    """

    # The LCD's view of the item is for dashboards and the native-API firmware, not history.
    _unrecorded_attributes = frozenset({"lcd_lines", "lcd_payload"})

    def __init__(self, coordinator: SpotifyLCDCoordinator) -> None:
        """The now-playing sensor of `coordinator`'s account."""
        super().__init__(coordinator, NOW_PLAYING)
        self._shown: Playback | None = None
        self._screen: dict[str, Json] = {}
        self._attributes: dict[str, Any] = {}
        self._track()

    @callback
    def _handle_coordinator_update(self) -> None:
        self._track()
        super()._handle_coordinator_update()

    def _track(self) -> None:
        # The payload as of the fetch: what the display showed at `position_updated_at`.
        payload = self.coordinator.payload()
        screen = {key: value for key, value in payload.items() if key not in _CLOCK_FIELDS}
        playback = self.coordinator.snapshot().playback
        if playback is None or playback.kind not in SHOWN_KINDS:
            playback = None
        if screen == self._screen and not self._item_moved(playback):
            return
        self._screen, self._shown = screen, playback
        rom = self.coordinator.account.display_settings().rom
        self._attributes = {
            **(self._item_attributes(playback, dt_util.utcnow()) if playback else {}),
            "lcd_lines": [readable_row(row, rom) for row in render(payload, 0, 0)],
            "lcd_payload": json.dumps(payload, separators=(",", ":"), ensure_ascii=False),
        }

    def _item_moved(self, playback: Playback | None) -> bool:
        """Another item, a pause or resume, or a seek (a jump from the extrapolated time)."""
        shown = self._shown
        if playback is None or shown is None:
            return playback is not shown
        return (
            not playback.same_item(shown)
            or playback.is_playing != shown.is_playing
            or abs(playback.progress_ms - shown.progress_at(playback.fetched_at))
            > SEEK_TOLERANCE_MS
        )

    @staticmethod
    def _item_attributes(playback: Playback, now: datetime) -> dict[str, Any]:
        return {
            "artists": list(playback.artists),
            "album": playback.album,
            "device": playback.device_name,
            "kind": playback.kind.value,
            "duration": playback.duration_ms / 1000,
            "position": playback.progress_ms / 1000,
            "position_updated_at": now,
        }

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Artists, album, device, kind, duration, position, and the LCD's view."""
        return self._attributes
