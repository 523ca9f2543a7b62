"""The `/get` response bodies: pure functions of the poller's snapshot and the time."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Final, Self

from .arduinojson import LEGACY_POOL_BYTES, Json, worst_pool_bytes
from .hd44780.allocation import GlyphPlan
from .hd44780.cgram import PAUSE, PLAY, STALE
from .hd44780.rom import SUBSTITUTES
from .playback import Playback, PlaybackKind
from .status import AccountStatus, Snapshot
from .text import TextSettings, drawable_letters, fallback, to_ascii, track_text

if TYPE_CHECKING:
    from collections.abc import Callable

    from .account import Account
    from .hd44780.rom import Rom
    from .screen import ScreenSize
    from .settings import DisplayKind, DisplaySettings

# Three or more artists read "A etc".
ETC_FROM: Final = 3
AD_TITLE: Final = "Advertisement"
PRIVATE_SESSION_TITLE: Final = "Private session"
UNKNOWN_TITLE: Final = "Unknown item"
# For a title with nothing a display can show (emoji only): never a blank row.
UNTITLED: Final = "Untitled"
# Longer than any item, and what a signed 32-bit integer holds: neither the old sketch nor
# the firmware (which clamps to the same value) overflows on a number we send.
LONGEST_MS: Final = 2**31 - 1


def json_body(payload: dict[str, Json], *, ensure_ascii: bool = False) -> str:
    """A `/get` body as sent: compact JSON, v2 with characters as themselves (UTF-8)."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=ensure_ascii)


# The numbers of each body, in the order of its payload.
V1_NUMBERS: Final = ("timer", "duration", "current")
V2_NUMBERS: Final = ("progress", "duration", "next_poll")
# Stands for a number while a body's template is made; any value no field can hold.
_NUMBER_MARK: Final = -(2**62)


@dataclass(frozen=True, slots=True)
class BodyTemplate:
    """A JSON body as bytes with its numbers as `%d`: made once per item, filled per answer."""

    template: bytes

    @classmethod
    def of(cls, payload: dict[str, Json], names: tuple[str, ...], *, ensure_ascii: bool) -> Self:
        """The template of `payload` with the fields `names` (numbers) left open.

        `names` are in the payload's order, which is the order `fill` takes the numbers in.
        """
        marked = json_body(
            {**payload, **dict.fromkeys(names, _NUMBER_MARK)}, ensure_ascii=ensure_ascii
        )
        text = marked.replace("%", "%%")
        # A key with its quotes unescaped is a key: inside a string it would read \"name\".
        keys = [f'"{name}":{_NUMBER_MARK}' for name in names]
        where = [text.index(key) for key in keys]
        if where != sorted(where):
            msg = f"{names} are not numbers of the payload in its order"
            raise ValueError(msg)
        for key, name in zip(keys, names, strict=True):
            text = text.replace(key, f'"{name}":%d')
        return cls(text.encode())

    def fill(self, numbers: tuple[int, ...]) -> bytes:
        """The body with these numbers, in the order of the template's names."""
        return self.template % numbers


class BodyCache:
    """One account's `/get` bodies, laid out once for what the account shows now.

    Keyed by what a display asks (v1, or v2 with its ROM and size) and kept while the account
    shows the same thing (item, play state, health) with the same settings: a few entries per
    account, so many accounts never evict each other, and an answer costs its numbers.
    """

    def __init__(self) -> None:
        """Empty until the first request."""
        self._snapshot: Snapshot | None = None
        self._account: Account | None = None
        self._shown: tuple[object, ...] = ()
        self._templates: dict[object, BodyTemplate] = {}
        # What the snapshot's bodies need per answer: whether v1 may answer without the
        # playback (which may depend on the time), and v2's duration.
        self._v1_plays = False
        self._v2_duration = 0

    def v1(self, snapshot: Snapshot, now: float, account: Account) -> bytes:
        """The v1 body, in the account's text settings."""
        template = self._template(snapshot, account, "v1")
        if not self._v1_plays:
            code = _v1_answer(snapshot, now)
            if code is not None:
                return _v1_answer_body(code)
        playback = snapshot.playback
        assert playback is not None  # noqa: S101 - _v1_answer answered every other case
        numbers = _v1_numbers(playback, now)
        if template is None:
            payload = _v1_strings(playback, account.text_settings()).payload(*numbers)
            template = self._keep("v1", BodyTemplate.of(payload, V1_NUMBERS, ensure_ascii=True))
        return template.fill(numbers)

    def v2(self, snapshot: Snapshot, now: float, account: Account, display: DisplayKind) -> bytes:
        """The v2 body for a display of the account that names its own ROM and size, or not."""
        template = self._template(snapshot, account, display)
        numbers = _v2_numbers(snapshot, now, self._v2_duration)
        if template is None:
            settings = account.display_settings(*display)
            payload = _v2_screen_of(snapshot, settings).payload(*numbers)
            template = self._keep(display, BodyTemplate.of(payload, V2_NUMBERS, ensure_ascii=False))
        return template.fill(numbers)

    def _template(self, snapshot: Snapshot, account: Account, key: object) -> BodyTemplate | None:
        if snapshot is not self._snapshot or account is not self._account:
            shown = _shown(snapshot)
            if account is not self._account or shown != self._shown:
                self._templates.clear()
            self._snapshot, self._account, self._shown = snapshot, account, shown
            # Unless stale, whether v1 shows the playback does not depend on the time.
            self._v1_plays = not snapshot.stale and _v1_answer(snapshot, 0.0) is None
            self._v2_duration = _v2_duration(snapshot, _v2_state(snapshot))
        return self._templates.get(key)

    def _keep(self, key: object, template: BodyTemplate) -> BodyTemplate:
        self._templates[key] = template
        return template


def _shown(snapshot: Snapshot) -> tuple[object, ...]:
    """Everything of a snapshot a body shows but its numbers."""
    playback = snapshot.playback
    item = playback and (
        playback.kind,
        playback.title,
        playback.artists,
        playback.album,
        playback.genres,
        playback.device_name,
        playback.is_playing,
        playback.duration_ms,
        playback.private_session,
    )
    return (snapshot.status, snapshot.stale, item)


def artist_string(artists: tuple[str, ...] | list[str]) -> str:
    """The old middleware's rule: `A`, `A and B`, or `A etc` for three or more."""
    if len(artists) >= ETC_FROM:
        return f"{artists[0]} etc"
    return " and ".join(artists)


# v1 has no stale flag: a legacy display keeps the last playback this long after Spotify's
# last answer, so a blip never blanks it, and is then told why nothing new comes.
LEGACY_STALE_GRACE_S: Final = 30.0
# Pool left free in the worst release modelled: room for one more member than a body has.
LEGACY_MARGIN_BYTES: Final = 32
LEGACY_BUDGET_BYTES: Final = LEGACY_POOL_BYTES - LEGACY_MARGIN_BYTES
# api_response without a playback to show, by account status: the HTTP status the old
# middleware would have relayed from Spotify.
_STATUS_ONLY_RESPONSE: Final = {
    AccountStatus.STARTING: 204,
    AccountStatus.OK: 204,
    AccountStatus.STALE: 503,
    AccountStatus.RATE_LIMITED: 429,
}
# Old firmware prints bytes as they come, and an A00 ROM draws `\` as ¥ and `~` as →.
_LEGACY_GLASS: Final = str.maketrans(dict(SUBSTITUTES))


def v1_payload(snapshot: Snapshot, now: float, text: TextSettings | None = None) -> dict[str, Json]:
    """Exactly the old middleware's JSON, ASCII only, small enough for the legacy sketch.

    While Spotify fails, the last playback is served for `LEGACY_STALE_GRACE_S` after its
    fetch, then `api_response` 429 (rate limited) or 503 (failing) until Spotify answers.
    """
    code = _v1_answer(snapshot, now)
    if code is not None:
        return {"api_response": code}
    playback = snapshot.playback
    assert playback is not None  # noqa: S101 - _v1_answer answered every other case
    return _v1_strings(playback, text or TextSettings()).payload(*_v1_numbers(playback, now))


def _v1_answer(snapshot: Snapshot, now: float) -> int | None:
    """The `api_response` when there is no playback to show (None when there is)."""
    if snapshot.status is AccountStatus.NEEDS_RELINK:
        return 401
    if snapshot.status is AccountStatus.FORBIDDEN:
        return 403
    playback = snapshot.playback
    if playback is None or (snapshot.stale and now - playback.fetched_at > LEGACY_STALE_GRACE_S):
        return _STATUS_ONLY_RESPONSE[snapshot.status]
    if playback.kind is PlaybackKind.IDLE:
        return 204
    return None


@lru_cache(maxsize=8)
def _v1_answer_body(code: int) -> bytes:
    return json_body({"api_response": code}, ensure_ascii=True).encode()


def _v1_strings(playback: Playback, text: TextSettings) -> _LegacyStrings:
    title, artists = _v1_title_and_artists(playback, text)
    return _legacy_strings(title, artists, playback.device_name, playing=playback.is_playing)


def _v1_numbers(playback: Playback, now: float) -> tuple[int, int, int]:
    """`V1_NUMBERS`: timer, duration, current."""
    duration = min(playback.duration_ms, LONGEST_MS)
    # Of unknown length (an ad): nothing to count, rather than progress past the end.
    current = min(playback.progress_at(now), duration)
    return duration - current, duration, current


@dataclass(frozen=True, slots=True)
class _LegacyStrings:
    """A v1 body's strings, fitted once per item; the numbers change with every answer."""

    title: str
    artist_string: str
    artist_full: tuple[str, ...]
    device_name: str
    playing: bool

    def payload(self, timer: int, duration: int, current: int) -> dict[str, Json]:
        """The body, with the times."""
        return {
            "api_response": 200,
            "song_title": self.title,
            "artist_string": self.artist_string,
            "artist_full": list[Json](self.artist_full),
            "device_name": self.device_name,
            "status": self.playing,
            "timer": timer,
            "duration": duration,
            "current": current,
        }


@lru_cache(maxsize=256)
def _legacy_strings(
    title: str, artists: tuple[str, ...], device_name: str, *, playing: bool
) -> _LegacyStrings:
    """The v1 strings for legacy glass, shortened to fit the legacy pool in every release.

    Extra entries of `artist_full` go first (`artist_string` already says "etc"), then the
    longest strings are cut to a common length.
    """
    names = [name.translate(_LEGACY_GLASS) for name in artists]
    texts = {
        "song_title": title.translate(_LEGACY_GLASS),
        "artist_string": artist_string(names),
        "device_name": to_ascii(device_name).translate(_LEGACY_GLASS),
    }

    def fitted() -> _LegacyStrings:
        first = (texts["artist_full"],) if "artist_full" in texts else ()
        return _LegacyStrings(
            texts["song_title"],
            texts["artist_string"],
            (*first, *names),
            texts["device_name"],
            playing,
        )

    def excess() -> int:
        body = fitted().payload(timer=0, duration=0, current=0)
        return worst_pool_bytes(body) - LEGACY_BUDGET_BYTES

    while len(names) > 1 and excess() > 0:
        names.pop()
    # The one artist left is cut like the other strings.
    if len(names) == 1:
        texts["artist_full"] = names.pop()
    _cap_longest(texts, list(texts), excess, _utf8_bytes)
    return fitted()


def _v1_title_and_artists(playback: Playback, text: TextSettings) -> tuple[str, tuple[str, ...]]:
    if playback.kind is PlaybackKind.AD:
        return AD_TITLE, ("Spotify",)
    if playback.kind is PlaybackKind.UNKNOWN:
        return (PRIVATE_SESSION_TITLE if playback.private_session else UNKNOWN_TITLE), ()
    texts = track_text(
        playback.title, playback.artists, playback.album, text, None, genres=playback.genres
    )
    return texts.title or UNTITLED, texts.artists


# v2: longest text sent per field, in cells; the display scrolls it.
MAX_CELLS: Final = 96
# The most of an answer the firmware reads (MAX_ANSWER_BYTES in
# esphome/components/spotify_lcd/firmware.h; a test holds the two equal).
FIRMWARE_ANSWER_BYTES: Final = 1000
# Room for fields a later server may add while an older firmware still reads every answer.
V2_MARGIN_BYTES: Final = 100
V2_BUDGET_BYTES: Final = FIRMWARE_ANSWER_BYTES - V2_MARGIN_BYTES
NEXT_POLL_MIN_MS: Final = 1000
# Spotify's longest honoured wait (PollPolicy.retry_after_cap, 300 s) and its jitter: the
# display is told when the next poll really is; its own max poll interval caps its sleep.
NEXT_POLL_MAX_MS: Final = 330_000
# No poll scheduled (the account must be linked again): ask again in half a minute.
NEXT_POLL_UNSCHEDULED_MS: Final = 30_000
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
        return NEXT_POLL_UNSCHEDULED_MS
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
    """The ESPHome firmware's payload: ROM-encoded strings, glyphs, progress and a poll hint.

    Its body (`json_body`) is at most `V2_BUDGET_BYTES` long, whatever the item.
    """
    numbers = _v2_numbers(snapshot, now, _v2_duration(snapshot, _v2_state(snapshot)))
    return _v2_screen_of(snapshot, display, text).payload(*numbers)


def _v2_screen_of(
    snapshot: Snapshot, display: DisplaySettings, text: TextSettings | None = None
) -> _Screen:
    """The v2 payload but for its numbers, which depend on the time."""
    state = _v2_state(snapshot)
    playback = snapshot.playback
    if state in ("playing", "paused") and playback is not None:
        texts = track_text(
            playback.title,
            playback.artists,
            playback.album,
            text or display.text,
            display.rom,
            genres=playback.genres,
        )
        title, artist, album = texts.title or UNTITLED, ", ".join(texts.artists), texts.album
    else:
        (title, artist), album = _MESSAGES[state], ""
    return _v2_screen(
        _Screen(
            state=state,
            size=display.size,
            rom=display.rom,
            title=title,
            artist=artist,
            album=album,
            stale=snapshot.stale and playback is not None,
            has_bar=_v2_duration(snapshot, state) > 0,
        )
    )


def _v2_duration(snapshot: Snapshot, state: str) -> int:
    playback = snapshot.playback
    if state in ("playing", "paused", "ad") and playback is not None:
        return min(playback.duration_ms, LONGEST_MS)
    return 0


def _v2_numbers(snapshot: Snapshot, now: float, duration: int) -> tuple[int, int, int]:
    """`V2_NUMBERS`: progress, duration (the snapshot's `_v2_duration`), next_poll."""
    playback = snapshot.playback
    progress = min(playback.progress_at(now), duration) if playback else 0
    return progress, duration, next_poll_hint_ms(snapshot, now)


@dataclass(frozen=True, slots=True)
class _Screen:
    """A v2 payload but for its numbers: laid out once per item, state and display."""

    state: str
    size: ScreenSize
    rom: Rom
    title: str
    artist: str
    album: str
    stale: bool
    has_bar: bool
    bar: str = ""
    icon: str = ""
    mark: str = ""
    glyphs: tuple[str, ...] = ()

    def payload(self, progress: int, duration: int, next_poll: int) -> dict[str, Json]:
        """The payload, with the times and the poll hint."""
        return {
            "v": 2,
            "state": self.state,
            "cols": self.size.cols,
            "rows": self.size.rows,
            "rom": self.rom.value,
            "title": self.title,
            "artist": self.artist,
            "album": self.album,
            "progress": progress,
            "duration": duration,
            "stale": self.stale,
            "bar": self.bar,
            "icon": self.icon,
            "mark": self.mark,
            "glyphs": list[Json](self.glyphs),
            "next_poll": next_poll,
        }


@lru_cache(maxsize=256)
def _v2_screen(shown: _Screen) -> _Screen:
    """`shown` (its texts as Unicode) with its glyphs chosen and its texts encoded and fitted.

    The texts are cut, longest first, until the body with the widest numbers fits the budget.
    """
    rom = shown.rom
    plan = GlyphPlan(rom)
    bar = plan.bar_levels() if shown.has_bar else ""
    icon = ""
    if shown.state in ("playing", "paused"):
        icon = plan.add(PLAY if shown.state == "playing" else PAUSE) or ""
    mark = (plan.add(STALE) or "") if shown.stale else ""
    sources = {"title": shown.title, "artist": shown.artist, "album": shown.album}
    # Only the 4-row layout shows the album: elsewhere it gets no glyph and is cut first.
    shows_album = shown.size.rows > 2  # noqa: PLR2004 - the two layouts
    on_glass = [name for name in sources if name != "album" or shows_album]
    plan.add_letters([sources[name] for name in on_glass], drawable_letters(rom))

    def encode(value: str) -> str:
        return plan.encode(value, lambda char: fallback(char, rom))[:MAX_CELLS]

    texts = {name: encode(text) for name, text in sources.items()}
    glyphs = tuple(glyph.hex() for glyph in plan.glyphs)

    def fitted() -> _Screen:
        return dataclasses.replace(
            shown,
            title=texts["title"],
            artist=texts["artist"],
            album=texts["album"],
            bar=bar,
            icon=icon,
            mark=mark,
            glyphs=glyphs,
        )

    def excess() -> int:
        widest = fitted().payload(
            progress=LONGEST_MS, duration=LONGEST_MS, next_poll=NEXT_POLL_MAX_MS
        )
        return len(json_body(widest).encode()) - V2_BUDGET_BYTES

    _cap_longest(texts, [name for name in texts if name not in on_glass], excess, _json_bytes)
    _cap_longest(texts, on_glass, excess, _json_bytes)
    return fitted()


def _cap_longest(
    texts: dict[str, str],
    names: list[str],
    excess: Callable[[], int],
    char_cost: Callable[[str], int],
) -> None:
    """Cut the `names` of `texts` to the largest common cost at which `excess()` is not above 0.

    Only texts longer than that are cut, all to the same length: the shorter ones stay whole,
    and no one field is sacrificed while others stay long. `char_cost` is what one character
    costs.
    """
    if excess() <= 0:
        return
    whole = {name: texts[name] for name in names}

    def cap_at(cap: int) -> None:
        for name, text in whole.items():
            texts[name] = _prefix(text, cap, char_cost)

    # The largest cap that fits, or 0 when nothing does (the rest of the body always fits).
    low, high = 0, max((sum(map(char_cost, text)) for text in whole.values()), default=0)
    while low < high:
        middle = (low + high + 1) // 2
        cap_at(middle)
        if excess() <= 0:
            low = middle
        else:
            high = middle - 1
    cap_at(low)


def _prefix(text: str, most: int, char_cost: Callable[[str], int]) -> str:
    """The longest start of `text` that costs at most `most`, without a space at its end."""
    spent = 0
    for index, char in enumerate(text):
        spent += char_cost(char)
        if spent > most:
            return text[:index].rstrip(" ")
    return text


def _utf8_bytes(char: str) -> int:
    return len(char.encode())


@lru_cache(maxsize=512)
def _json_bytes(char: str) -> int:
    # Glyph codes 0x01-0x07 are sent as six bytes (\u0001), 0x80-0xFF as two UTF-8 bytes.
    return len(json.dumps(char, ensure_ascii=False).encode()) - 2
