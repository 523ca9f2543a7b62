"""The `/get` response bodies: pure functions of the poller's snapshot and the time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from .arduinojson import LEGACY_POOL_BYTES, Json, pool_bytes
from .playback import Playback, PlaybackKind
from .status import AccountStatus, Snapshot
from .text import to_ascii

if TYPE_CHECKING:
    from collections.abc import Callable

# Three or more artists read "A etc".
ETC_FROM: Final = 3
AD_TITLE: Final = "Advertisement"
PRIVATE_SESSION_TITLE: Final = "Private session"
UNKNOWN_TITLE: Final = "Unknown item"
# api_response when no playback is known, by account status: the HTTP status the old
# middleware would have relayed from Spotify.
_NO_PLAYBACK_RESPONSE: Final = {
    AccountStatus.STARTING: 204,
    AccountStatus.OK: 204,
    AccountStatus.STALE: 503,
    AccountStatus.RATE_LIMITED: 429,
}


def artist_string(artists: tuple[str, ...] | list[str]) -> str:
    """The old middleware's rule: `A`, `A and B`, or `A etc` for three or more."""
    if len(artists) >= ETC_FROM:
        return f"{artists[0]} etc"
    return " and ".join(artists)


def v1_payload(snapshot: Snapshot, now: float) -> dict[str, Json]:
    """Exactly the old middleware's JSON, ASCII only, small enough for the legacy sketch."""
    if snapshot.status is AccountStatus.NEEDS_RELINK:
        return {"api_response": 401}
    if snapshot.status is AccountStatus.FORBIDDEN:
        return {"api_response": 403}
    playback = snapshot.playback
    if playback is None:
        return {"api_response": _NO_PLAYBACK_RESPONSE[snapshot.status]}
    if playback.kind is PlaybackKind.IDLE:
        return {"api_response": 204}
    title, artists = _v1_title_and_artists(playback)
    texts = {
        "song_title": title,
        "artist_string": to_ascii(artist_string(artists)),
        "device_name": to_ascii(playback.device_name),
    }
    artist_full = list(artists)

    def document() -> dict[str, Json]:
        names: list[Json] = [*artist_full]
        return {
            "api_response": 200,
            "song_title": texts["song_title"],
            "artist_string": texts["artist_string"],
            "artist_full": names,
            "device_name": texts["device_name"],
            "status": playback.is_playing,
            "timer": playback.remaining_at(now),
            "duration": playback.duration_ms,
            "current": playback.progress_at(now),
        }

    _shrink_to_legacy_pool(texts, artist_full, document)
    return document()


def _v1_title_and_artists(playback: Playback) -> tuple[str, tuple[str, ...]]:
    if playback.kind is PlaybackKind.AD:
        return AD_TITLE, ("Spotify",)
    if playback.kind is PlaybackKind.UNKNOWN:
        return (PRIVATE_SESSION_TITLE if playback.private_session else UNKNOWN_TITLE), ()
    artists = tuple(name for name in map(to_ascii, playback.artists) if name)
    return to_ascii(playback.title), artists


def _shrink_to_legacy_pool(
    texts: dict[str, str], artists: list[str], document: Callable[[], dict[str, Json]]
) -> None:
    """Shorten the texts until ArduinoJson 6 can parse `document()` in the legacy pool.

    Extra entries of `artist_full` go first (`artist_string` already says "etc"), then the
    longest string is cut towards the next longest, so no one field is sacrificed while
    others stay long.
    """
    while (excess := pool_bytes(document()) - LEGACY_POOL_BYTES) > 0:
        if len(artists) > 1:
            artists.pop()
            continue
        lengths = sorted((len(text), name) for name, text in texts.items())
        if artists:
            lengths = sorted([*lengths, (len(artists[0]), "")])
        (longest, name), runner_up = lengths[-1], lengths[-2][0]
        # Cut the longest down to the runner-up's length (at least one character), no further.
        keep = min(longest - 1, max(longest - excess, runner_up))
        if name:
            texts[name] = texts[name][:keep].rstrip()
        else:
            artists[0] = artists[0][:keep].rstrip()
