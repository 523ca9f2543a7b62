"""Polls Spotify with the library's policy: adaptive interval, just after the track ends."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from datetime import timedelta
from http import HTTPStatus
from typing import TYPE_CHECKING

from aiohttp import ClientError, ClientResponseError
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from spotifylcd.account import Account
from spotifylcd.exceptions import (
    SpotifyAuthError,
    SpotifyError,
    SpotifyForbiddenError,
    SpotifyRateLimitedError,
    StoreError,
)
from spotifylcd.payload import v2_payload
from spotifylcd.poller import PollPolicy
from spotifylcd.status import AccountStatus, Snapshot

from .const import (
    CONF_COUNTRY,
    CONF_DEVICE_KEY,
    CONF_HAN_READING,
    CONF_JAPANESE,
    CONF_KEYLESS,
    CONF_POLL_INTERVAL,
    CONF_ROM,
    CONF_SIZE,
    CONF_UID,
    DEFAULT_POLL_INTERVAL,
    DOMAIN,
    LOGGER,
    ROM_OPTIONS,
)

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.config_entry_oauth2_flow import OAuth2Session

    from spotifylcd.arduinojson import Json
    from spotifylcd.playback import Playback
    from spotifylcd.spotify import SpotifyClient

    from .token_mirror import MongoTokenMirror


@dataclass
class SpotifyLCDData:
    """What a loaded entry keeps: its coordinator."""

    coordinator: SpotifyLCDCoordinator


type SpotifyLCDConfigEntry = ConfigEntry[SpotifyLCDData]


def account_for(entry: ConfigEntry) -> Account:
    """The entry as the library's account: uid, key and display settings (no tokens)."""
    options = entry.options
    settings = {
        key: str(options[key])
        for key in (CONF_SIZE, CONF_JAPANESE, CONF_HAN_READING)
        if key in options
    }
    if (rom := ROM_OPTIONS.get(str(options.get(CONF_ROM, "")))) is not None:
        settings[CONF_ROM] = rom.value
    return Account(
        uid=entry.data[CONF_UID],
        device_key=entry.data[CONF_DEVICE_KEY],
        keyless=bool(options.get(CONF_KEYLESS, False)),
        country=entry.data.get(CONF_COUNTRY, ""),
        **settings,  # type: ignore[arg-type]
    )


def _settings_of(entry: ConfigEntry) -> tuple[object, ...]:
    return (dict(entry.options), entry.data[CONF_UID], entry.data[CONF_DEVICE_KEY])


class SpotifyLCDCoordinator(DataUpdateCoordinator[Snapshot]):
    """One Spotify call stream per account, shared by entities and the `/get` view."""

    config_entry: SpotifyLCDConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: SpotifyLCDConfigEntry,
        session: OAuth2Session,
        client: SpotifyClient,
        mirror: MongoTokenMirror | None = None,
    ) -> None:
        """Poll for `entry` using HA's OAuth session for tokens (mirrored to MongoDB)."""
        interval = float(entry.options.get(CONF_POLL_INTERVAL, DEFAULT_POLL_INTERVAL))
        self.policy = PollPolicy(playing_interval=interval)
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {entry.data[CONF_UID]}",
            update_interval=timedelta(seconds=interval),
        )
        self.session = session
        self.client = client
        self.account = account_for(entry)
        self.mirror = mirror
        # Nothing published yet: the first token in use is written to MongoDB.
        self._published_token = ""
        self._settings = _settings_of(entry)
        self.status = AccountStatus.STARTING
        self._failures = 0

    async def _access_token(self, *, force_refresh: bool = False) -> str:
        try:
            if force_refresh:
                refreshed = await self.session.implementation.async_refresh_token(
                    self.session.token
                )
                self.hass.config_entries.async_update_entry(
                    self.config_entry, data={**self.config_entry.data, "token": refreshed}
                )
            else:
                await self.session.async_ensure_token_valid()
        except ClientResponseError as err:
            if HTTPStatus.BAD_REQUEST <= err.status < HTTPStatus.INTERNAL_SERVER_ERROR:
                self.status = AccountStatus.NEEDS_RELINK
                raise ConfigEntryAuthFailed(
                    translation_domain=DOMAIN, translation_key="reauth_required"
                ) from err
            raise UpdateFailed(translation_domain=DOMAIN, translation_key="unavailable") from err
        except ClientError as err:
            raise UpdateFailed(translation_domain=DOMAIN, translation_key="unavailable") from err
        token = str(self.session.token["access_token"])
        if self.mirror is not None and token != self._published_token:
            await self._publish(self.mirror)
            self._published_token = token
        return token

    async def _publish(self, mirror: MongoTokenMirror) -> None:
        try:
            await mirror.publish(self.session.token)
        except StoreError as err:
            LOGGER.warning("%s: cannot write the new token to MongoDB: %s", self.account.uid, err)

    def settings_changed(self) -> bool:
        """Whether options, uid or key differ from those this coordinator started with."""
        return _settings_of(self.config_entry) != self._settings

    async def _fetch(self) -> Playback:
        token = await self._access_token()
        try:
            return await self.client.get_playback(token)
        except SpotifyAuthError:
            return await self.client.get_playback(await self._access_token(force_refresh=True))

    async def _async_update_data(self) -> Snapshot:
        try:
            playback = await self._fetch()
        except SpotifyAuthError as err:
            self.status = AccountStatus.NEEDS_RELINK
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="reauth_required"
            ) from err
        except SpotifyForbiddenError as err:
            self._failed(err, AccountStatus.FORBIDDEN)
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                f"forbidden_{self.config_entry.entry_id}",
                is_fixable=False,
                severity=ir.IssueSeverity.ERROR,
                translation_key="forbidden",
                translation_placeholders={"uid": self.account.uid},
            )
            raise UpdateFailed(translation_domain=DOMAIN, translation_key="forbidden") from err
        except SpotifyRateLimitedError as err:
            self._failed(err, AccountStatus.RATE_LIMITED)
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="rate_limited",
                translation_placeholders={"seconds": f"{err.retry_after:g}"},
            ) from err
        except SpotifyError as err:
            self._failed(err, AccountStatus.STALE)
            raise UpdateFailed(translation_domain=DOMAIN, translation_key="unavailable") from err
        self._failures = 0
        self.status = AccountStatus.OK
        ir.async_delete_issue(self.hass, DOMAIN, f"forbidden_{self.config_entry.entry_id}")
        delay = self.policy.delay_after(playback, time.monotonic())
        self.update_interval = timedelta(seconds=delay)
        return Snapshot(AccountStatus.OK, playback, next_poll_at=time.monotonic() + delay)

    def _failed(self, error: SpotifyError, status: AccountStatus) -> None:
        self._failures += 1
        self.status = status
        self.update_interval = timedelta(
            seconds=self.policy.delay_after_error(error, self._failures)
        )

    def still_payload(
        self, playback: Playback | None, status: AccountStatus = AccountStatus.OK
    ) -> dict[str, Json]:
        """The v2 payload drawn with the clock stopped, so it changes per item, not per poll."""
        frozen = dataclasses.replace(playback, is_playing=False) if playback else None
        return v2_payload(
            Snapshot(status, frozen),
            frozen.fetched_at if frozen else 0.0,
            self.account.display_settings(),
        )

    def snapshot(self) -> Snapshot:
        """The cache as a display should see it: the last playback and the link's health."""
        playback = self.data.playback if self.data is not None else None
        next_poll_at = self.data.next_poll_at if self.data is not None else None
        return Snapshot(self.status, playback, next_poll_at=next_poll_at)
