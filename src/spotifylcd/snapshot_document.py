"""An account's snapshot as a document other processes read: wall-clock times, plain values.

A process keeps times on its own monotonic clock, which means nothing to another process;
the document carries wall-clock times, so processes whose clocks agree (NTP) read them alike.
"""

from __future__ import annotations

from typing import Any

from .playback import Playback, PlaybackKind
from .status import AccountStatus, Snapshot

type Document = dict[str, Any]


class ClockOffset:
    """Converts this process's monotonic times to wall-clock times and back."""

    def __init__(self, monotonic: float, wall: float) -> None:
        """The two clocks read at the same moment."""
        self._offset = wall - monotonic

    def to_wall(self, monotonic: float) -> float:
        """`monotonic` as a wall-clock time."""
        return monotonic + self._offset

    def to_monotonic(self, wall: float) -> float:
        """`wall` on this process's monotonic clock."""
        return wall - self._offset


def snapshot_to_document(snapshot: Snapshot, clock: ClockOffset) -> Document:
    """What another process needs to answer displays exactly as this one would."""
    playback = snapshot.playback
    return {
        "status": snapshot.status.value,
        "playback": None if playback is None else _playback_to_document(playback, clock),
        "error": snapshot.error,
        "next_poll_at": None
        if snapshot.next_poll_at is None
        else clock.to_wall(snapshot.next_poll_at),
        "polled_at": None if snapshot.polled_at is None else clock.to_wall(snapshot.polled_at),
        "asleep": snapshot.asleep,
    }


def snapshot_from_document(document: Document, clock: ClockOffset) -> Snapshot:
    """The snapshot another process wrote; raises `ValueError`/`KeyError`/`TypeError` if garbled."""
    playback = document.get("playback")
    return Snapshot(
        status=AccountStatus(document["status"]),
        playback=None if playback is None else _playback_from_document(playback, clock),
        error=_optional_text(document.get("error")),
        next_poll_at=_optional_time(document.get("next_poll_at"), clock),
        polled_at=_optional_time(document.get("polled_at"), clock),
        asleep=bool(document.get("asleep", False)),
    )


def _playback_to_document(playback: Playback, clock: ClockOffset) -> Document:
    return {
        "kind": playback.kind.value,
        "fetched_at": clock.to_wall(playback.fetched_at),
        "title": playback.title,
        "artists": list(playback.artists),
        "album": playback.album,
        "device_name": playback.device_name,
        "is_playing": playback.is_playing,
        "progress_ms": playback.progress_ms,
        "duration_ms": playback.duration_ms,
        "item_uri": playback.item_uri,
        "is_local": playback.is_local,
        "private_session": playback.private_session,
        "volume_percent": playback.volume_percent,
        "artist_ids": list(playback.artist_ids),
        "genres": list(playback.genres),
        "raw_type": playback.raw_type,
    }


def _playback_from_document(document: Document, clock: ClockOffset) -> Playback:
    volume = document.get("volume_percent")
    return Playback(
        kind=PlaybackKind(document["kind"]),
        fetched_at=clock.to_monotonic(float(document["fetched_at"])),
        title=str(document["title"]),
        artists=tuple(map(str, document["artists"])),
        album=str(document["album"]),
        device_name=str(document["device_name"]),
        is_playing=bool(document["is_playing"]),
        progress_ms=int(document["progress_ms"]),
        duration_ms=int(document["duration_ms"]),
        item_uri=str(document["item_uri"]),
        is_local=bool(document["is_local"]),
        private_session=bool(document["private_session"]),
        volume_percent=None if volume is None else int(volume),
        artist_ids=tuple(map(str, document["artist_ids"])),
        genres=tuple(map(str, document["genres"])),
        raw_type=str(document.get("raw_type", "")),
    )


def _optional_text(value: object) -> str | None:
    return None if value is None else str(value)


def _optional_time(value: object, clock: ClockOffset) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        msg = f"not a time: {value!r}"
        raise TypeError(msg)
    return clock.to_monotonic(float(value))
