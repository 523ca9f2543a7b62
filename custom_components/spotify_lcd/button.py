"""Buttons for the account's player: what a display's buttons do, for dashboards and automations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.exceptions import HomeAssistantError

from spotifylcd.control import ControlAction, ControlsNotGrantedError
from spotifylcd.exceptions import (
    SpotifyForbiddenError,
    SpotifyLCDError,
    SpotifyNoActiveDeviceError,
    SpotifyRateLimitedError,
)

from .const import DOMAIN
from .entity import SpotifyLCDEntity

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .coordinator import SpotifyLCDConfigEntry

# Player commands one at a time: Spotify applies them in order.
PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class SpotifyLCDButtonEntityDescription(ButtonEntityDescription):
    """A button sending one control action."""

    action: ControlAction


BUTTONS: Final = tuple(
    SpotifyLCDButtonEntityDescription(key=action.value, translation_key=action.value, action=action)
    for action in (
        ControlAction.TOGGLE,
        ControlAction.NEXT,
        ControlAction.PREVIOUS,
        ControlAction.VOLUME_UP,
        ControlAction.VOLUME_DOWN,
    )
)


async def async_setup_entry(
    hass: HomeAssistant,  # noqa: ARG001
    entry: SpotifyLCDConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Play/pause, next, previous and volume buttons per account."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(SpotifyLCDButton(coordinator, description) for description in BUTTONS)


class SpotifyLCDButton(SpotifyLCDEntity, ButtonEntity):
    """Sends its action to Spotify; a refusal is a translated error, not a traceback."""

    entity_description: SpotifyLCDButtonEntityDescription

    async def async_press(self) -> None:
        """Send the action, then the coordinator polls at once."""
        try:
            await self.coordinator.control(self.entity_description.action)
        except SpotifyLCDError as err:
            key, placeholders = _refusal(err)
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key=key,
                translation_placeholders=placeholders,
            ) from err


def _refusal(err: SpotifyLCDError) -> tuple[str, dict[str, str]]:
    """The translated message for what Spotify (or the link) refused."""
    if isinstance(err, SpotifyNoActiveDeviceError):
        return "no_active_device", {}
    if isinstance(err, ControlsNotGrantedError):
        return "relink_for_controls", {}
    if isinstance(err, SpotifyForbiddenError):
        return "premium_required", {}
    if isinstance(err, SpotifyRateLimitedError):
        return "rate_limited", {"seconds": f"{err.retry_after:.0f}"}
    return "unavailable", {}
