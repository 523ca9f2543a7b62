"""Screen layout: a `/get` v2 payload plus two clocks → the bytes on every row of the LCD.

This is the contract the ESPHome firmware's C++ renderer mirrors byte for byte (checked
against the golden vectors in tests/). All arithmetic is on integer milliseconds.

- `since_fetch_ms`: time since the payload was fetched; progress advances by it while
  playing.
- `since_change_ms`: time since the shown item changed; marquees and the artist / status
  alternation run on it, so a new poll does not restart a scroll.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Self

MARQUEE_PAUSE_MS: Final = 2000
MARQUEE_STEP_MS: Final = 350
ARTIST_PHASE_MIN_MS: Final = 5000
STATUS_PHASE_MS: Final = 4000
WIDE_COLUMNS: Final = 20
SPACE: Final = " "


@dataclass(frozen=True, slots=True)
class ScreenSize:
    """Columns by rows: 16x2, 20x2 or 20x4."""

    cols: int
    rows: int

    @classmethod
    def parse(cls, text: str) -> Self:
        """Read "16x2"; raises ValueError for sizes we do not lay out."""
        size = SIZES.get(text.strip().lower())
        if size is None:
            msg = f"screen size must be one of {', '.join(SIZES)}, not {text!r}"
            raise ValueError(msg)
        return cls(size.cols, size.rows)

    def __str__(self) -> str:
        """The "16x2" form."""
        return f"{self.cols}x{self.rows}"


SIZES: Final = {
    "16x2": ScreenSize(16, 2),
    "20x2": ScreenSize(20, 2),
    "20x4": ScreenSize(20, 4),
}


def marquee(text: str, width: int, time_ms: int) -> str:
    """`text` in `width` cells: padded if it fits, else scrolling with a pause at each end."""
    if width <= 0:
        return ""
    if len(text) <= width:
        return text + SPACE * (width - len(text))
    steps = len(text) - width
    cycle = MARQUEE_PAUSE_MS + steps * MARQUEE_STEP_MS + MARQUEE_PAUSE_MS
    within = time_ms % cycle
    offset = min(steps, max(0, (within - MARQUEE_PAUSE_MS) // MARQUEE_STEP_MS))
    return text[offset : offset + width]


def marquee_cycle_ms(text: str, width: int) -> int:
    """How long one full scroll of `text` takes (0 if it fits)."""
    if len(text) <= width:
        return 0
    return MARQUEE_PAUSE_MS + (len(text) - width) * MARQUEE_STEP_MS + MARQUEE_PAUSE_MS


def clock(ms: int) -> str:
    """m:ss, or h:mm:ss from an hour."""
    seconds = max(0, ms) // 1000
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"{minutes}:{seconds:02d}"


def progress_bar(progress_ms: int, duration_ms: int, width: int, levels: str) -> str:
    """`width` cells, five steps each; `levels` holds the characters for 1-5 lit columns."""
    if width <= 0:
        return ""
    units = 0 if duration_ms <= 0 else min(width * 5, progress_ms * width * 5 // duration_ms)
    cells = []
    for cell in range(width):
        level = min(5, max(0, units - cell * 5))
        cells.append(levels[level - 1] if level else SPACE)
    return "".join(cells)


@dataclass(frozen=True, slots=True)
class ScreenPayload:
    """The fields of a v2 payload the layout reads."""

    cols: int
    rows: int
    state: str
    title: str
    artist: str
    album: str
    progress: int
    duration: int
    stale: bool
    bar: str
    icon: str
    mark: str

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Self:
        """Read the fields from a decoded v2 body."""
        return cls(
            cols=int(payload["cols"]),
            rows=int(payload["rows"]),
            state=str(payload["state"]),
            title=str(payload["title"]),
            artist=str(payload["artist"]),
            album=str(payload["album"]),
            progress=int(payload["progress"]),
            duration=int(payload["duration"]),
            stale=bool(payload["stale"]),
            bar=str(payload["bar"]),
            icon=str(payload["icon"]),
            mark=str(payload["mark"]),
        )


def _status_line(screen: ScreenPayload, since_fetch_ms: int) -> str:
    progress = screen.progress
    if screen.state == "playing":
        progress = min(screen.duration, progress + since_fetch_ms)
    times = clock(progress)
    if screen.cols >= WIDE_COLUMNS:
        times += "/" + clock(screen.duration)
    icon = screen.icon or SPACE
    width = screen.cols - len(icon) - 1 - 1 - len(times)
    return f"{icon} {progress_bar(progress, screen.duration, width, screen.bar)} {times}"


def _title_row(screen: ScreenPayload, since_change_ms: int) -> str:
    if screen.stale and screen.mark:
        return marquee(screen.title, screen.cols - 1, since_change_ms) + screen.mark
    return marquee(screen.title, screen.cols, since_change_ms)


def render(payload: dict[str, Any], since_fetch_ms: int, since_change_ms: int) -> list[str]:
    """The rows of the screen, each exactly `cols` code points (one HD44780 byte each)."""
    screen = ScreenPayload.from_payload(payload)
    has_bar = screen.duration > 0 and len(screen.bar) == 5  # noqa: PLR2004 - five levels
    rows = [_title_row(screen, since_change_ms)]
    if screen.rows == 2:  # noqa: PLR2004 - the two layouts
        rows.append(_second_row(screen, since_fetch_ms, since_change_ms, has_bar=has_bar))
    else:
        rows.append(marquee(screen.artist, screen.cols, since_change_ms))
        rows.append(marquee(screen.album, screen.cols, since_change_ms))
        rows.append(
            _status_line(screen, since_fetch_ms) if has_bar else marquee("", screen.cols, 0)
        )
    # A row that ran over (times of hundreds of hours) would spill into the next one on the
    # glass: ESPHome's print() carries on past the end of a row.
    return [row[: screen.cols] for row in rows]


def _second_row(
    screen: ScreenPayload, since_fetch_ms: int, since_change_ms: int, *, has_bar: bool
) -> str:
    """Artist, alternating with the status line (icon, bar, time) when there is a bar."""
    if not has_bar:
        return marquee(screen.artist, screen.cols, since_change_ms)
    if not screen.artist:
        return _status_line(screen, since_fetch_ms)
    artist_phase = max(ARTIST_PHASE_MIN_MS, marquee_cycle_ms(screen.artist, screen.cols))
    within = since_change_ms % (artist_phase + STATUS_PHASE_MS)
    if within < artist_phase:
        return marquee(screen.artist, screen.cols, within)
    return _status_line(screen, since_fetch_ms)
