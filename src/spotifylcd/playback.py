"""What is playing, as an immutable value built leniently from Spotify's playback JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .exceptions import SpotifyInvalidResponseError


class PlaybackKind(StrEnum):
    """What the player holds: Spotify's `currently_playing_type`, plus `idle` for HTTP 204."""

    TRACK = "track"
    EPISODE = "episode"
    AD = "ad"
    UNKNOWN = "unknown"
    IDLE = "idle"


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _millis(value: object) -> int:
    # bool is an int subclass; Spotify never sends one here, so treat it as garbage.
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    return max(0, int(value))


@dataclass(frozen=True, slots=True)
class Playback:
    """One observation of an account's player, with the monotonic time it was fetched."""

    kind: PlaybackKind
    fetched_at: float
    title: str = ""
    artists: tuple[str, ...] = ()
    album: str = ""
    device_name: str = ""
    is_playing: bool = False
    progress_ms: int = 0
    duration_ms: int = 0
    item_uri: str = ""
    is_local: bool = False
    private_session: bool = False
    volume_percent: int | None = None
    # Spotify ids of the track's artists, and their genres once the poller has looked them up.
    artist_ids: tuple[str, ...] = ()
    genres: tuple[str, ...] = ()
    raw_type: str = field(default="", compare=False)

    @classmethod
    def idle(cls, fetched_at: float) -> Playback:
        """Nothing is playing (Spotify answered 204 No Content)."""
        return cls(kind=PlaybackKind.IDLE, fetched_at=fetched_at)

    @classmethod
    def from_spotify(cls, data: object, fetched_at: float) -> Playback:
        """Build from a `GET /me/player` body; tolerate every missing or null field."""
        if not isinstance(data, dict):
            msg = f"playback state is {type(data).__name__}, not a JSON object"
            raise SpotifyInvalidResponseError(msg)
        device = _mapping(data.get("device"))
        item = _mapping(data.get("item"))
        raw_type = _text(data.get("currently_playing_type")) or _text(item.get("type"))
        kind = _kind(raw_type, item)
        title, album = "", ""
        artists: tuple[str, ...] = ()
        artist_ids: tuple[str, ...] = ()
        if kind is PlaybackKind.TRACK:
            title = _text(item.get("name"))
            listed = [_mapping(artist) for artist in item.get("artists") or ()]
            artists = tuple(
                name for artist in listed if (name := _text(artist.get("name")).strip())
            )
            # Local files have artists without ids.
            artist_ids = tuple(id_ for artist in listed if (id_ := _text(artist.get("id"))))
            album = _text(_mapping(item.get("album")).get("name"))
        elif kind is PlaybackKind.EPISODE:
            show = _mapping(item.get("show"))
            title = _text(item.get("name"))
            show_name = _text(show.get("name")).strip()
            artists = (show_name,) if show_name else ()
            album = show_name
        duration = _millis(item.get("duration_ms"))
        progress = _millis(data.get("progress_ms"))
        return cls(
            kind=kind,
            fetched_at=fetched_at,
            title=title,
            artists=artists,
            album=album,
            device_name=_text(device.get("name")),
            is_playing=data.get("is_playing") is True,
            progress_ms=min(progress, duration) if duration else progress,
            duration_ms=duration,
            item_uri=_text(item.get("uri")),
            is_local=item.get("is_local") is True,
            private_session=device.get("is_private_session") is True,
            volume_percent=_percent(device.get("volume_percent")),
            artist_ids=artist_ids,
            raw_type=raw_type,
        )

    def progress_at(self, now: float) -> int:
        """Progress in ms at monotonic time `now`, advanced from the fetch while playing."""
        if not self.is_playing:
            return self.progress_ms
        progress = self.progress_ms + max(0, round((now - self.fetched_at) * 1000))
        return min(progress, self.duration_ms) if self.duration_ms else progress

    def remaining_at(self, now: float) -> int:
        """Milliseconds left in the item at monotonic time `now` (0 when unknown)."""
        return max(0, self.duration_ms - self.progress_at(now)) if self.duration_ms else 0

    def predicted_end(self) -> float | None:
        """Monotonic time the item should end, or None while paused or of unknown length."""
        if not self.is_playing or not self.duration_ms:
            return None
        return self.fetched_at + (self.duration_ms - self.progress_ms) / 1000

    def same_item(self, other: Playback | None) -> bool:
        """Whether `other` shows the same item (ignoring progress and play state)."""
        return other is not None and (
            self.kind,
            self.item_uri,
            self.title,
            self.artists,
            self.album,
        ) == (other.kind, other.item_uri, other.title, other.artists, other.album)


def _percent(value: object) -> int | None:
    """A device's volume, or None when the device does not report one (or reports garbage)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return min(100, max(0, int(value)))


def _kind(raw_type: str, item: dict[str, Any]) -> PlaybackKind:
    if raw_type == "ad":
        return PlaybackKind.AD
    if not item:
        return PlaybackKind.UNKNOWN
    if raw_type in (PlaybackKind.TRACK, PlaybackKind.EPISODE):
        return PlaybackKind(raw_type)
    return PlaybackKind.UNKNOWN
