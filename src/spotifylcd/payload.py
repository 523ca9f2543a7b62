"""The `/get` response bodies: pure functions of the poller's snapshot and the time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from .arduinojson import LEGACY_POOL_BYTES, Json, pool_bytes
from .hd44780.allocation import GlyphPlan
from .hd44780.cgram import PAUSE, PLAY, STALE
from .playback import Playback, PlaybackKind
from .status import AccountStatus, Snapshot
from .text import TextSettings, drawable_letters, fallback, to_ascii, track_text

if TYPE_CHECKING:
    from .settings import DisplaySettings

if TYPE_CHECKING:
    from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

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


def v1_payload(snapshot: Snapshot, now: float, text: TextSettings | None = None) -> dict[str, Json]:
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
    title, artists = _v1_title_and_artists(playback, text or TextSettings())
    strings = _legacy_strings(title, artists, playback.device_name)
    return {
        "api_response": 200,
        "song_title": strings.title,
        "artist_string": strings.artist_string,
        "artist_full": list[Json](strings.artist_full),
        "device_name": strings.device_name,
        "status": playback.is_playing,
        "timer": playback.remaining_at(now),
        "duration": playback.duration_ms,
        "current": playback.progress_at(now),
    }


@dataclass(frozen=True, slots=True)
class _LegacyStrings:
    title: str
    artist_string: str
    artist_full: tuple[str, ...]
    device_name: str


# The largest numbers a v1 body carries: strings are fitted once per track, numbers vary.
_WIDEST_NUMBERS: Final = {"status": False, "timer": 2**31, "duration": 2**31, "current": 2**31}


@lru_cache(maxsize=256)
def _legacy_strings(title: str, artists: tuple[str, ...], device_name: str) -> _LegacyStrings:
    """The v1 strings, shortened once per track to fit the legacy parser's pool."""
    texts = {
        "song_title": title,
        "artist_string": artist_string(artists),
        "device_name": to_ascii(device_name),
    }
    artist_full = list(artists)

    def document() -> dict[str, Json]:
        names: list[Json] = [*artist_full]
        return {"api_response": 200, **texts, "artist_full": names, **_WIDEST_NUMBERS}

    _shrink_to_legacy_pool(texts, artist_full, document)
    return _LegacyStrings(
        texts["song_title"], texts["artist_string"], tuple(artist_full), texts["device_name"]
    )


def _v1_title_and_artists(playback: Playback, text: TextSettings) -> tuple[str, tuple[str, ...]]:
    if playback.kind is PlaybackKind.AD:
        return AD_TITLE, ("Spotify",)
    if playback.kind is PlaybackKind.UNKNOWN:
        return (PRIVATE_SESSION_TITLE if playback.private_session else UNKNOWN_TITLE), ()
    texts = track_text(playback.title, playback.artists, playback.album, text, None)
    return texts.title, texts.artists


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


# v2: longest text sent per field, in cells; the display scrolls it.
MAX_CELLS: Final = 96
NEXT_POLL_MIN_MS: Final = 1000
NEXT_POLL_MAX_MS: Final = 30_000
NEXT_POLL_MARGIN_MS: Final = 250
_MESSAGES: Final = {
    "relink": ("Re-link Spotify", "Spotify LCD"),
    "forbidden": ("Spotify refused", "Premium needed?"),
    "starting": ("Connecting...", ""),
    "offline": ("Spotify offline", "retrying"),
    "idle": ("Nothing playing", "Spotify"),
    "ad": (AD_TITLE, "Spotify"),
    "private": (PRIVATE_SESSION_TITLE, ""),
    "unknown": (UNKNOWN_TITLE, ""),
}


def next_poll_hint_ms(snapshot: Snapshot, now: float) -> int:
    """When the display should ask again: just after the poller's next Spotify call."""
    if snapshot.next_poll_at is None:
        return NEXT_POLL_MAX_MS
    wait = round((snapshot.next_poll_at - now) * 1000) + NEXT_POLL_MARGIN_MS
    return min(NEXT_POLL_MAX_MS, max(NEXT_POLL_MIN_MS, wait))


def _v2_state(snapshot: Snapshot) -> str:
    playback = snapshot.playback
    if snapshot.status is AccountStatus.NEEDS_RELINK:
        return "relink"
    if snapshot.status is AccountStatus.FORBIDDEN:
        return "forbidden"
    if playback is None:
        return "starting" if snapshot.status is AccountStatus.STARTING else "offline"
    if playback.kind is PlaybackKind.IDLE:
        return "idle"
    if playback.kind is PlaybackKind.AD:
        return "ad"
    if playback.kind is PlaybackKind.UNKNOWN:
        return "private" if playback.private_session else "unknown"
    return "playing" if playback.is_playing else "paused"


def v2_payload(
    snapshot: Snapshot, now: float, display: DisplaySettings, text: TextSettings | None = None
) -> dict[str, Json]:
    """The ESPHome firmware's payload: ROM-encoded strings, glyphs, progress and a poll hint."""
    state = _v2_state(snapshot)
    playback = snapshot.playback
    rom, size = display.rom, display.size
    if state in ("playing", "paused") and playback is not None:
        texts = track_text(
            playback.title, playback.artists, playback.album, text or display.text, rom
        )
        title, artist, album = texts.title, ", ".join(texts.artists), texts.album
    else:
        (title, artist), album = _MESSAGES[state], ""
    has_bar = (
        state in ("playing", "paused", "ad") and playback is not None and (playback.duration_ms > 0)
    )
    stale = snapshot.stale and playback is not None
    plan = GlyphPlan(rom)
    bar = plan.bar_levels() if has_bar else ""
    icon = ""
    if state in ("playing", "paused"):
        icon = plan.add(PLAY if state == "playing" else PAUSE) or ""
    mark = (plan.add(STALE) or "") if stale else ""
    shown = (title, artist, album) if size.rows > 2 else (title, artist)  # noqa: PLR2004
    plan.add_letters(shown, drawable_letters(rom))

    def encode(value: str) -> str:
        return plan.encode(value, lambda char: fallback(char, rom))[:MAX_CELLS]

    glyphs: list[Json] = [glyph.hex() for glyph in plan.glyphs]
    return {
        "v": 2,
        "state": state,
        "cols": size.cols,
        "rows": size.rows,
        "rom": rom.value,
        "title": encode(title),
        "artist": encode(artist),
        "album": encode(album),
        "progress": playback.progress_at(now) if has_bar and playback else 0,
        "duration": playback.duration_ms if has_bar and playback else 0,
        "stale": stale,
        "bar": bar,
        "icon": icon,
        "mark": mark,
        "glyphs": glyphs,
        "next_poll": next_poll_hint_ms(snapshot, now),
    }
