"""Playback controls from a display's buttons: an action, sent to the account's player.

The standalone server's `POST /control` and Home Assistant's view, buttons and action all
come here: one mapping from an action to Spotify's player endpoints, and one set of refusals.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Final

from .exceptions import SpotifyLCDError, SpotifyNoActiveDeviceError
from .source import with_token

if TYPE_CHECKING:
    from .playback import Playback
    from .source import TokenProvider
    from .spotify import SpotifyClient

VOLUME_STEP: Final = 10


class ControlAction(StrEnum):
    """What a button (or a knob's turn) asks for."""

    PLAY = "play"
    PAUSE = "pause"
    TOGGLE = "toggle"
    NEXT = "next"
    PREVIOUS = "previous"
    VOLUME_UP = "volume_up"
    VOLUME_DOWN = "volume_down"


class ControlsNotGrantedError(SpotifyLCDError):
    """The account was linked before controls existed: it must be linked again to use them."""

    def __init__(self, uid: str) -> None:
        """Name the account to re-link."""
        super().__init__(f"{uid} was linked without permission to control playback; link it again")


async def send_control(
    client: SpotifyClient,
    tokens: TokenProvider,
    action: ControlAction,
    playback: Playback | None,
) -> None:
    """Send `action` to Spotify; `playback` (the last one seen) resolves toggle and volume.

    Raises `SpotifyNoActiveDeviceError` (nothing to control), `SpotifyForbiddenError` (no
    Premium), `SpotifyRateLimitedError`, `SpotifyUnavailableError` and the token errors.
    """
    if action is ControlAction.TOGGLE:
        playing = playback is not None and playback.is_playing
        action = ControlAction.PAUSE if playing else ControlAction.PLAY
    if action in (ControlAction.VOLUME_UP, ControlAction.VOLUME_DOWN):
        if playback is None or playback.volume_percent is None:
            msg = "the active device does not report a volume Spotify can change"
            raise SpotifyNoActiveDeviceError(msg)
        step = VOLUME_STEP if action is ControlAction.VOLUME_UP else -VOLUME_STEP
        volume = playback.volume_percent + step
        await with_token(tokens, lambda token: client.set_volume(token, volume))
        return
    command = {
        ControlAction.PLAY: client.play,
        ControlAction.PAUSE: client.pause,
        ControlAction.NEXT: client.next_track,
        ControlAction.PREVIOUS: client.previous_track,
    }[action]
    await with_token(tokens, command)
