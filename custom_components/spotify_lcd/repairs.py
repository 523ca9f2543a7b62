"""Repairs: Spotify's refresh tokens end six months after authorization; re-link before."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import TYPE_CHECKING, Final

from homeassistant.components.repairs import ConfirmRepairFlow, RepairsFlow
from homeassistant.core import callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_track_time_interval

from .const import CONF_AUTHORIZED_AT, CONF_UID, DOMAIN

if TYPE_CHECKING:
    from datetime import datetime

    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import CALLBACK_TYPE, HomeAssistant
    from homeassistant.data_entry_flow import FlowResult

REFRESH_TOKEN_LIFETIME: Final = timedelta(days=182)
WARN_BEFORE: Final = timedelta(days=14)
CHECK_EVERY: Final = timedelta(hours=12)


def token_issue_id(entry: ConfigEntry) -> str:
    """The issue id of `entry`'s expiring link."""
    return f"token_expiring_{entry.entry_id}"


def check_token_age(hass: HomeAssistant, entry: ConfigEntry, now: float | None = None) -> None:
    """Raise (or clear) the expiring-link issue from the entry's authorization date."""
    authorized_at = float(entry.data.get(CONF_AUTHORIZED_AT, 0) or 0)
    expires_at = authorized_at + REFRESH_TOKEN_LIFETIME.total_seconds()
    remaining = expires_at - (time.time() if now is None else now)
    _show_relink_issue(
        hass,
        entry,
        token_issue_id(entry),
        "token_expiring",
        show=not authorized_at or remaining <= WARN_BEFORE.total_seconds(),
        days=str(max(0, int(remaining // 86400))),
    )


def controls_issue_id(entry: ConfigEntry) -> str:
    """The issue id of an entry linked before controls existed."""
    return f"controls_need_relink_{entry.entry_id}"


@callback
def show_controls_issue(hass: HomeAssistant, entry: ConfigEntry, granted: bool) -> None:  # noqa: FBT001
    """Ask for a new link when Spotify did not grant control of playback (an older link)."""
    _show_relink_issue(
        hass, entry, controls_issue_id(entry), "controls_need_relink", show=not granted
    )


@callback
def _show_relink_issue(
    hass: HomeAssistant,
    entry: ConfigEntry,
    issue_id: str,
    translation_key: str,
    *,
    show: bool,
    **placeholders: str,
) -> None:
    """Raise (or clear) an issue whose fix is linking the entry again (`ReauthRepairFlow`)."""
    if not show:
        ir.async_delete_issue(hass, DOMAIN, issue_id)
        return
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=True,
        severity=ir.IssueSeverity.WARNING,
        translation_key=translation_key,
        translation_placeholders={"uid": entry.data[CONF_UID], **placeholders},
        data={"entry_id": entry.entry_id},
    )


@callback
def track_token_age(hass: HomeAssistant, entry: ConfigEntry) -> CALLBACK_TYPE:
    """Check the link's age now and twice a day while the entry is loaded; returns the undo."""
    check_token_age(hass, entry)

    @callback
    def check(_now: datetime) -> None:
        check_token_age(hass, entry)

    return async_track_time_interval(hass, check, CHECK_EVERY)


class ReauthRepairFlow(ConfirmRepairFlow):
    """Confirming the repair starts the entry's reauth flow; the issue stays until it ends."""

    def __init__(self, entry_id: str) -> None:
        """Repair the link of entry `entry_id`."""
        super().__init__()
        self.entry_id = entry_id

    async def async_step_confirm(self, user_input: dict[str, str] | None = None) -> FlowResult:
        """Start reauth once the user confirms; the renewed link clears the issue at set-up."""
        if user_input is None:
            return await super().async_step_confirm(user_input)
        entry = self.hass.config_entries.async_get_entry(self.entry_id)
        if entry is not None:
            entry.async_start_reauth(self.hass)
        # Finishing with an entry would delete the issue before the user signed in again.
        return self.async_abort(reason="reauth_started")


async def async_create_fix_flow(
    hass: HomeAssistant,  # noqa: ARG001
    issue_id: str,  # noqa: ARG001
    data: dict[str, str | int | float | None] | None,
) -> RepairsFlow:
    """The fix for an expiring link or one without controls: reauthorize."""
    return ReauthRepairFlow(str((data or {})["entry_id"]))
