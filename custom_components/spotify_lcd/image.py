"""An image entity showing the LCD as the display draws it (the preview PNG)."""

from __future__ import annotations

import io
import time
from typing import TYPE_CHECKING, Final

from homeassistant.components.image import ImageEntity, ImageEntityDescription
from homeassistant.core import callback
from homeassistant.util import dt as dt_util

from spotifylcd.preview import render_png

from .entity import SpotifyLCDEntity

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from spotifylcd.arduinojson import Json
    from spotifylcd.playback import Playback

    from .coordinator import SpotifyLCDConfigEntry, SpotifyLCDCoordinator

PARALLEL_UPDATES = 0
LCD_PREVIEW: Final = ImageEntityDescription(key="lcd_preview", translation_key="lcd_preview")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SpotifyLCDConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """One LCD preview per account."""
    async_add_entities([LcdPreviewImage(hass, entry.runtime_data.coordinator)])


class LcdPreviewImage(SpotifyLCDEntity, ImageEntity):
    """The glass as it is when fetched; a new image state only when the item or link changes."""

    _attr_content_type = "image/png"

    def __init__(self, hass: HomeAssistant, coordinator: SpotifyLCDCoordinator) -> None:
        """The preview of `coordinator`'s account."""
        SpotifyLCDEntity.__init__(self, coordinator, LCD_PREVIEW)
        ImageEntity.__init__(self, hass)
        self._key: tuple[object, ...] | None = None
        self._changed()

    @callback
    def _handle_coordinator_update(self) -> None:
        self._changed()
        super()._handle_coordinator_update()

    def _changed(self) -> None:
        snapshot = self.coordinator.snapshot()
        key = (snapshot.status, _item_key(snapshot.playback))
        if key != self._key:
            self._key = key
            self._attr_image_last_updated = dt_util.utcnow()

    async def async_image(self) -> bytes:
        """The LCD drawn now: live progress and play state, off the event loop."""
        return await self.hass.async_add_executor_job(
            _png, self.coordinator.payload(time.monotonic())
        )


def _png(payload: dict[str, Json]) -> bytes:
    buffer = io.BytesIO()
    render_png(payload, buffer)
    return buffer.getvalue()


def _item_key(playback: Playback | None) -> tuple[object, ...]:
    if playback is None:
        return ()
    return (playback.kind, playback.item_uri, playback.title, playback.artists, playback.is_playing)
