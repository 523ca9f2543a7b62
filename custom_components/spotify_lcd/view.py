"""The `/get`-compatible view: the same payloads as the standalone server, from HA's cache."""

from __future__ import annotations

import time
from http import HTTPStatus
from typing import TYPE_CHECKING

from aiohttp import web
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView

from spotifylcd.access import BadKeyThrottle
from spotifylcd.contract import (
    MAX_BODY_BYTES,
    RequestError,
    authorise,
    error_response,
    get_body,
    read_get_request,
    unknown_uid,
)
from spotifylcd.status import AccountStatus, Snapshot

from .const import CONF_UID, DOMAIN, VIEW_URL
from .coordinator import account_for

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from spotifylcd.account import Account

    from .coordinator import SpotifyLCDCoordinator


class SpotifyLCDGetView(HomeAssistantView):
    """`POST /api/spotify_lcd/get` with `uid`, `key`, `v`: no I/O on the request path."""

    url = VIEW_URL
    name = "api:spotify_lcd:get"
    requires_auth = False  # displays authenticate with their device key

    def __init__(self) -> None:
        """One bad-key throttle across every account."""
        self._throttle = BadKeyThrottle()

    async def post(self, request: web.Request) -> web.Response:
        """Answer a display from the coordinator's last data."""
        try:
            _check_size(request)
            get = await read_get_request(request)
            account, snapshot = _account(request.app[KEY_HASS], get.uid)
            authorise(account, get.key, request.remote, self._throttle)
        except RequestError as err:
            return error_response(err.status, err.error, err.message)
        body = get_body(get, account, snapshot, time.monotonic())
        return web.Response(text=body, content_type="application/json")

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


def _account(hass: HomeAssistant, uid: str) -> tuple[Account, Snapshot]:
    """The account called `uid` and what its displays are told, loaded or not.

    An entry waiting for a new link answers as "re-link" (v1 `api_response` 401); one that
    is not loaded yet (Spotify unreachable at start, say) as "offline" (v1 503).
    """
    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry.data.get(CONF_UID) != uid:
            continue
        if entry.state is ConfigEntryState.LOADED:
            coordinator: SpotifyLCDCoordinator = entry.runtime_data.coordinator
            return coordinator.account, coordinator.snapshot()
        relinking = any(entry.async_get_active_flows(hass, {SOURCE_REAUTH}))
        status = AccountStatus.NEEDS_RELINK if relinking else AccountStatus.STALE
        return account_for(entry), Snapshot(status)
    raise unknown_uid(uid)
