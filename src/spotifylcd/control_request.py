"""The `/control` contract, shared by the standalone server and Home Assistant's view.

`POST /control` with `uid`, `key` and `action`: the same key rules and throttling as `/get`;
keyless (legacy) displays only where the owner allows it. Answers `{"ok": true, "action": …}`
or a JSON error saying what Spotify refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .contract import RequestError, authorise, read_fields, requested_uid
from .control import ControlAction, ControlsNotGrantedError
from .exceptions import (
    SpotifyForbiddenError,
    SpotifyNoActiveDeviceError,
    SpotifyRateLimitedError,
    SpotifyReauthRequiredError,
)

if TYPE_CHECKING:
    from aiohttp import web

    from .access import BadKeyThrottle
    from .account import Account
    from .exceptions import SpotifyLCDError

ACTIONS = ", ".join(action.value for action in ControlAction)


@dataclass(frozen=True, slots=True)
class ControlRequest:
    """A checked `/control` request."""

    uid: str
    key: str | None
    action: ControlAction


async def read_control_request(request: web.BaseRequest) -> ControlRequest:
    """The request's fields, checked; raises `RequestError` (400) for a missing uid or action."""
    fields = await read_fields(request)
    uid = requested_uid(fields)
    try:
        action = ControlAction(fields.get("action", ""))
    except ValueError as err:
        raise RequestError(400, "invalid_action", f"action must be one of {ACTIONS}") from err
    return ControlRequest(uid, fields.get("key") or None, action)


def authorise_control(
    account: Account, key: str | None, remote: str | None, throttle: BadKeyThrottle
) -> None:
    """`/get`'s key check, then what controlling needs: permission, and a link that grants it."""
    authorise(account, key, remote, throttle)
    if key is None and not account.keyless_control:
        raise RequestError(
            403,
            "controls_not_allowed",
            "keyless displays may only read this account; send the device key, or let the "
            "owner allow keyless controls",
        )
    if not account.can_control:
        raise refusal(ControlsNotGrantedError(account.uid))


def refusal(err: SpotifyLCDError) -> RequestError:
    """What the display is told when the action could not be done."""
    if isinstance(err, SpotifyNoActiveDeviceError):
        return RequestError(404, "no_active_device", f"{err}; start playing on a device first")
    if isinstance(err, ControlsNotGrantedError):
        return RequestError(403, "relink_for_controls", str(err))
    if isinstance(err, SpotifyForbiddenError):
        error = "premium_required" if err.reason == "PREMIUM_REQUIRED" else "forbidden"
        return RequestError(403, error, f"Spotify refused: {err}")
    if isinstance(err, SpotifyRateLimitedError):
        return RequestError(429, "rate_limited", str(err), retry_after=err.retry_after)
    if isinstance(err, SpotifyReauthRequiredError):
        return RequestError(403, "needs_relink", f"{err}; link the account again")
    return RequestError(502, "spotify_unavailable", f"Spotify could not be reached: {err}")
