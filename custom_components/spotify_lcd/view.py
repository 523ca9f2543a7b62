"""The `/get`-compatible view: the same payloads as the standalone server, from HA's cache."""

from __future__ import annotations

import time
from http import HTTPStatus
from typing import TYPE_CHECKING

from aiohttp import web
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView

from spotifylcd.contract import (
    MAX_BODY_BYTES,
    RequestError,
    authorise,
    error_response,
    get_body,
    read_get_request,
    refuse_unknown_uid,
)
from spotifylcd.control_request import authorise_control, read_control_request, refusal
from spotifylcd.exceptions import SpotifyLCDError
from spotifylcd.payload import BodyCache
from spotifylcd.status import AccountStatus, Snapshot

from .const import CONF_UID, CONTROL_URL, DOMAIN, VIEW_URL
from .coordinator import account_for

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from spotifylcd.access import BadKeyThrottle
    from spotifylcd.account import Account

    from .coordinator import SpotifyLCDCoordinator


class DisplayView(HomeAssistantView):
    """A view displays reach with their device key (not HA's auth), throttled per address."""

    requires_auth = False

    def __init__(self, throttle: BadKeyThrottle) -> None:
        """Share `throttle` with the other display views: guesses count across all."""
        self._throttle = throttle


class SpotifyLCDControlView(DisplayView):
    """`POST /api/spotify_lcd/control` with `uid`, `key`, `action`: a display's button."""

    url = CONTROL_URL
    name = "api:spotify_lcd:control"

    async def post(self, request: web.Request) -> web.Response:
        """Send the action, poll at once, and say so; or say what was refused."""
        try:
            _check_size(request)
            control = await read_control_request(request)
            coordinator = _loaded_coordinator(
                request.app[KEY_HASS], control.uid, request.remote, self._throttle
            )
            authorise_control(coordinator.account, control.key, request.remote, self._throttle)
            try:
                await coordinator.control(control.action)
            except SpotifyLCDError as err:
                raise refusal(err) from err
        except RequestError as err:
            return err.response()
        return web.json_response({"ok": True, "action": control.action.value})


class SpotifyLCDGetView(DisplayView):
    """`POST /api/spotify_lcd/get` with `uid`, `key`, `v`: no I/O on the request path."""

    url = VIEW_URL
    name = "api:spotify_lcd:get"

    async def post(self, request: web.Request) -> web.Response:
        """Answer a display from the coordinator's last data."""
        try:
            _check_size(request)
            get = await read_get_request(request)
            account, snapshot, bodies = _account(
                request.app[KEY_HASS], get.uid, request.remote, self._throttle
            )
            authorise(account, get.key, request.remote, self._throttle)
        except RequestError as err:
            return err.response()
        body = get_body(get, account, snapshot, time.monotonic(), bodies)
        return web.Response(body=body, content_type="application/json", charset="utf-8")

    async def get(self, request: web.Request) -> web.Response:  # noqa: ARG002
        """Displays must POST, as the legacy firmware does."""
        return error_response(
            HTTPStatus.METHOD_NOT_ALLOWED, "method_not_allowed", "use POST for /get"
        )


def _check_size(request: web.Request) -> None:
    # HA's server allows large bodies; displays never need more than the contract's limit.
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise RequestError(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            "body_too_large",
            f"request body over {MAX_BODY_BYTES} bytes",
        )


def _loaded_coordinator(
    hass: HomeAssistant, uid: str, remote: str | None, throttle: BadKeyThrottle
) -> SpotifyLCDCoordinator:
    """The coordinator of `uid`'s entry; 503 while it is not loaded, 404 for an unknown uid."""
    account, _, _ = _account(hass, uid, remote, throttle)
    for entry in hass.config_entries.async_loaded_entries(DOMAIN):
        if entry.data.get(CONF_UID) == uid:
            coordinator: SpotifyLCDCoordinator = entry.runtime_data.coordinator
            return coordinator
    raise RequestError(
        HTTPStatus.SERVICE_UNAVAILABLE,
        "not_ready",
        f"{account.uid} is not connected to Spotify right now; try again later",
        retry_after=30,
    )


def _account(
    hass: HomeAssistant, uid: str, remote: str | None, throttle: BadKeyThrottle
) -> tuple[Account, Snapshot, BodyCache]:
    """The account called `uid`, what its displays are told (loaded or not), and its bodies.

    An entry waiting for a new link answers as "re-link" (v1 `api_response` 401); one that
    is not loaded yet (Spotify unreachable at start, say) as "offline" (v1 503).
    """
    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry.data.get(CONF_UID) != uid:
            continue
        if entry.state is ConfigEntryState.LOADED:
            coordinator: SpotifyLCDCoordinator = entry.runtime_data.coordinator
            return coordinator.account, coordinator.snapshot(), coordinator.bodies
        relinking = any(entry.async_get_active_flows(hass, {SOURCE_REAUTH}))
        status = AccountStatus.NEEDS_RELINK if relinking else AccountStatus.STALE
        return account_for(entry), Snapshot(status), BodyCache()
    # A client that keeps guessing uids is throttled like one that guesses keys.
    raise refuse_unknown_uid(uid, remote, throttle)
