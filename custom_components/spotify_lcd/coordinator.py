"""The library's poll engine, scheduled by Home Assistant: one engine, a thin coordinator."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Final

from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from spotifylcd.account import Account
from spotifylcd.control import ControlAction, ControlsNotGrantedError, send_control
from spotifylcd.payload import BodyCache, v2_payload
from spotifylcd.poller import PollEngine
from spotifylcd.settings import overrides_from_lines
from spotifylcd.status import AccountStatus, Snapshot

from .const import (
    CONF_AUTHORIZED_AT,
    CONF_COUNTRY,
    CONF_DEVICE_KEY,
    CONF_HAN_READING,
    CONF_JAPANESE,
    CONF_KEYLESS,
    CONF_KEYLESS_CONTROL,
    CONF_OVERRIDES,
    CONF_ROM,
    CONF_SIZE,
    CONF_UID,
    DOMAIN,
    LOGGER,
    ROM_OPTIONS,
)

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

    from spotifylcd.arduinojson import Json
    from spotifylcd.poller import PollPolicy
    from spotifylcd.source import SpotifyPlaybackSource

# Why a poll failed, as the translated message HA logs and shows.
_FAILURE_KEYS: Final = {
    AccountStatus.FORBIDDEN: "forbidden",
    AccountStatus.RATE_LIMITED: "rate_limited",
    AccountStatus.STALE: "unavailable",
}


@dataclass
class SpotifyLCDData:
    """What a loaded entry keeps: its coordinator."""

    coordinator: SpotifyLCDCoordinator


type SpotifyLCDConfigEntry = ConfigEntry[SpotifyLCDData]


def account_for(entry: ConfigEntry) -> Account:
    """The entry as the library's account: uid, key and display settings (no tokens)."""
    options = entry.options
    rom = ROM_OPTIONS.get(str(options.get(CONF_ROM, "")))
    account = Account(
        uid=entry.data[CONF_UID],
        device_key=entry.data[CONF_DEVICE_KEY],
        keyless=bool(options.get(CONF_KEYLESS, False)),
        keyless_control=bool(options.get(CONF_KEYLESS_CONTROL, False)),
        scopes=str(entry.data.get("token", {}).get("scope") or ""),
        country=entry.data.get(CONF_COUNTRY, ""),
        # Checked by the options flow: what is stored parses.
        overrides=overrides_from_lines(str(options.get(CONF_OVERRIDES) or "")),
    )
    return account.with_changes(
        **{
            key: str(options[key])
            for key in (CONF_SIZE, CONF_JAPANESE, CONF_HAN_READING)
            if key in options
        },
        **({CONF_ROM: rom.value} if rom is not None else {}),
    )


def forbidden_issue_id(entry: ConfigEntry) -> str:
    """The repair issue shown while Spotify refuses the account (HTTP 403)."""
    return f"forbidden_{entry.entry_id}"


def _settings_of(entry: ConfigEntry) -> tuple[object, ...]:
    # A re-link (reauth) renews the authorization time and maybe the scopes: it restarts too.
    return (
        dict(entry.options),
        entry.data[CONF_UID],
        entry.data[CONF_DEVICE_KEY],
        entry.data.get(CONF_AUTHORIZED_AT),
    )


class SpotifyLCDCoordinator(DataUpdateCoordinator[Snapshot]):
    """Runs the account's `PollEngine` on HA's schedule; entities and the view read it."""

    config_entry: SpotifyLCDConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: SpotifyLCDConfigEntry,
        source: SpotifyPlaybackSource,
        policy: PollPolicy,
    ) -> None:
        """Poll `source` with the library's engine, whose policy says when a call is due."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {entry.data[CONF_UID]}",
            update_interval=timedelta(seconds=policy.playing_interval),
        )
        self.source = source
        self.engine = PollEngine(source, policy, name=entry.data[CONF_UID])
        self.account = account_for(entry)
        # The display view's bodies, laid out once for what the account shows now.
        self.bodies = BodyCache()
        self._settings = _settings_of(entry)

    async def _async_update_data(self) -> Snapshot:
        snapshot = await self.engine.poll()
        if (seconds := self.engine.seconds_to_next_poll()) is not None:
            self.update_interval = timedelta(seconds=seconds)
        self._show_forbidden_issue(snapshot.status is AccountStatus.FORBIDDEN)
        if snapshot.status is AccountStatus.NEEDS_RELINK:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="reauth_required"
            )
        if snapshot.error is not None:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key=_FAILURE_KEYS[snapshot.status],
                translation_placeholders={"seconds": f"{seconds or 0:.0f}"},
            )
        return snapshot

    def _show_forbidden_issue(self, forbidden: bool) -> None:  # noqa: FBT001
        issue_id = forbidden_issue_id(self.config_entry)
        if not forbidden:
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)
            return
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key="forbidden",
            translation_placeholders={"uid": self.account.uid},
        )

    async def control(self, action: ControlAction) -> None:
        """Send `action` to Spotify, then poll at once so every display shows its result.

        Raises the library's errors (`SpotifyNoActiveDeviceError`, …); callers translate them.
        """
        if not self.account.can_control:
            raise ControlsNotGrantedError(self.account.uid)
        playback = self.engine.snapshot.playback
        await send_control(self.source.client, self.source.tokens, action, playback)
        await self.async_refresh()

    def settings_changed(self) -> bool:
        """Whether options, uid or key differ from those this coordinator started with."""
        return _settings_of(self.config_entry) != self._settings

    def snapshot(self) -> Snapshot:
        """What a display is told now: the engine's last playback and the link's health."""
        return self.engine.snapshot

    def payload(self, now: float | None = None) -> dict[str, Json]:
        """The v2 payload of the account's display at `now` (by default: as last fetched)."""
        snapshot = self.engine.snapshot
        if now is None:
            now = snapshot.playback.fetched_at if snapshot.playback else time.monotonic()
        return v2_payload(snapshot, now, self.account.display_settings())
