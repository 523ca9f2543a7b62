"""An image entity showing the LCD as the display draws it (the preview PNG)."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from homeassistant.components.image import ImageEntity
from homeassistant.core import callback
from homeassistant.util import dt as dt_util

from spotifylcd.preview import render_png

from .entity import SpotifyLCDEntity

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from spotifylcd.playback import Playback

    from .coordinator import SpotifyLCDConfigEntry, SpotifyLCDCoordinator

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: SpotifyLCDConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """One LCD preview per account."""
    async_add_entities([LcdPreviewImage(hass, entry.runtime_data.coordinator)])


class LcdPreviewImage(SpotifyLCDEntity, ImageEntity):
    """The glass, redrawn when the shown item or the link's state changes."""

    _attr_content_type = "image/png"

    def __init__(self, hass: HomeAssistant, coordinator: SpotifyLCDCoordinator) -> None:
        """The preview of `coordinator`'s account."""
        SpotifyLCDEntity.__init__(self, coordinator, "lcd_preview")
        ImageEntity.__init__(self, hass)
        self._key: tuple[object, ...] | None = None
        self._png = b""
        self._draw()

    @callback
    def _handle_coordinator_update(self) -> None:
        self._draw()
        super()._handle_coordinator_update()

    def _draw(self) -> None:
        snapshot = self.coordinator.snapshot()
        playback = snapshot.playback
        key = (snapshot.status, _item_key(playback))
        if key == self._key:
            return
        self._key = key
        buffer = io.BytesIO()
        render_png(self.coordinator.still_payload(playback, snapshot.status), buffer)
        self._png = buffer.getvalue()
        self._attr_image_last_updated = dt_util.utcnow()

    async def async_image(self) -> bytes:
        """The PNG."""
        return self._png


def _item_key(playback: Playback | None) -> tuple[object, ...]:
    if playback is None:
        return ()
    return (playback.kind, playback.item_uri, playback.title, playback.artists, playback.is_playing)
