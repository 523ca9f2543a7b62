"""HTML for people: the status page and the admin UI show accounts, displays and live LCDs.

Every link is relative, so the pages also work under Home Assistant ingress's path prefix.
"""

from __future__ import annotations

import html
import io
from typing import TYPE_CHECKING, Final
from urllib.parse import quote

from aiohttp import web

from .contract import RequestError
from .payload import v2_payload
from .preview import render_png
from .status import explain

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from .displays import DisplaySeen
    from .registry import AccountRegistry, AccountRuntime

# The pictures advance twice a second: marquees step and the progress bar moves.
ANIMATE_PREVIEWS: Final = (
    "<script>const shownAt=Date.now();setInterval(()=>document.querySelectorAll('img.lcd')"
    ".forEach(i=>{i.src=i.dataset.src+'&t='+(Date.now()-shownAt)}),500)</script>"
)
# An animation frame further from "now" than this is folded back (the marquee repeats).
MAX_ELAPSED_MS: Final = 3_600_000
STYLE: Final = (
    "body{font-family:sans-serif;margin:1.5em}td,th{padding:.3em .8em;text-align:left;"
    "vertical-align:top}img{max-width:100%}.why{color:#555;font-size:.9em;max-width:28em}"
    "form.inline{display:inline}"
)


def page(title: str, body: str, *, refresh_seconds: int | None = None) -> web.Response:
    """A whole HTML page; `refresh_seconds` reloads it by itself."""
    refresh = f'<meta http-equiv="refresh" content="{refresh_seconds}">' if refresh_seconds else ""
    return web.Response(
        content_type="text/html",
        text=(
            f'<!doctype html><html lang="en"><head><meta charset="utf-8">{refresh}'
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>"
            f"<body><h1>{html.escape(title)}</h1>{body}</body></html>"
        ),
    )


def query_value(text: str) -> str:
    """`text` quoted for a query string inside an HTML attribute."""
    return html.escape(quote(text, safe=""))


def lcd_image(uid: str) -> str:
    """The account's animated LCD picture (served by `preview_png` at `preview?uid=`)."""
    source = f"preview?uid={query_value(uid)}"
    return (
        f'<img class="lcd" alt="LCD of {html.escape(uid)}" src="{source}&amp;t=0" '
        f'data-src="{source}">'
    )


def state_cells(runtime: AccountRuntime, now: float) -> str:
    """State (with its reason) and what is playing, as two table cells."""
    snapshot = runtime.poller.snapshot
    playback = snapshot.playback
    state = "asleep" if snapshot.asleep else snapshot.status.value
    playing = f"{playback.title} — {', '.join(playback.artists)}" if playback else ""
    return (
        f'<td>{html.escape(state)}<div class="why">{html.escape(explain(snapshot, now))}</div>'
        f"</td><td>{html.escape(playing)}</td>"
    )


def displays_table(displays: Iterable[DisplaySeen], now: float) -> str:
    """The displays heard from lately: uid, address, what they ask for, when last."""
    rows = []
    for seen in displays:
        asks = "legacy (v1)" if seen.version == "1" else f"v2 {seen.rom or ''} {seen.size or ''}"
        cells = (
            seen.uid,
            seen.address,
            asks.strip(),
            f"{max(0.0, now - seen.last_seen):.0f} s ago",
            str(seen.requests),
        )
        rows.append("<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in cells) + "</tr>")
    body = "".join(rows) or '<tr><td colspan="5">No display has asked yet.</td></tr>'
    return (
        "<table><tr><th>uid</th><th>address</th><th>asks for</th><th>last seen</th>"
        f"<th>requests</th></tr>{body}</table>"
    )


def preview_png(runtime: AccountRuntime, now: float, elapsed_ms: int) -> bytes:
    """The account's LCD as a PNG: frame `elapsed_ms` of an animation that reaches `now`.

    The payload is taken `elapsed_ms` ago and drawn `elapsed_ms` later, so marquees have
    moved on by then while the progress shown is the progress now.
    """
    snapshot = runtime.poller.snapshot
    elapsed_ms %= MAX_ELAPSED_MS
    playback = snapshot.playback
    if playback is not None and playback.is_playing:
        elapsed_ms = min(elapsed_ms, playback.progress_at(now))
    payload = v2_payload(snapshot, now - elapsed_ms / 1000, runtime.account.display_settings())
    buffer = io.BytesIO()
    render_png(payload, buffer, at_ms=elapsed_ms)
    return buffer.getvalue()


def preview_response(
    registry: AccountRegistry, query: Mapping[str, str], now: float
) -> web.Response:
    """`GET preview?uid=…&t=…`: the account's LCD as a PNG, `t` ms into the animation."""
    runtime = registry.get(query.get("uid", ""))
    if runtime is None:
        raise RequestError(404, "unknown_uid", "no account by that uid")
    body = preview_png(runtime, now, _elapsed_ms(query.get("t", "0")))
    return web.Response(body=body, content_type="image/png", headers={"Cache-Control": "no-store"})


def _elapsed_ms(text: str) -> int:
    """The animation frame a preview asks for (`t`, ms since the page was shown)."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else 0  # noqa: PLR2004
