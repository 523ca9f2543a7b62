"""The admin web UI (HA add-on ingress): accounts, device keys, live previews, linking, settings.

It shows device keys and takes client secrets, so it answers only the addresses it is told
to trust (the add-on passes Home Assistant's ingress gateway) and is off by default. Links
are relative, so the pages work under ingress's changing path prefix. A malformed request
gets the contract's JSON error; a person's mistake (a wrong paste, a bad setting) gets the
page again with what to fix.
"""

from __future__ import annotations

import asyncio
import html
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from aiohttp import web

from .contract import MAX_UID_LENGTH, error_response, read_fields
from .displays import DisplayLog
from .exceptions import SpotifyLCDError, StoreConflictError
from .hd44780.rom import Rom
from .json_errors import json_errors
from .link import LinkOptions, PasteFlow, save_linked_account
from .pages import (
    ANIMATE_PREVIEWS,
    displays_table,
    lcd_image,
    page,
    preview_response,
    query_value,
    state_cells,
)
from .redirect import DEFAULT_REDIRECT_PORT, redirect_uri
from .registry import AccountRegistry
from .screen import SIZES
from .text import HanReading, JapaneseMode

if TYPE_CHECKING:
    from collections.abc import Awaitable, Iterable, Sequence

    from .account import Account
    from .registry import AccountRuntime

INGRESS_GATEWAY: Final = "172.30.32.2"
REGISTRY_KEY: Final = web.AppKey("registry", AccountRegistry)
CLOCK_KEY: Final = web.AppKey[Callable[[], float]]("clock")
DISPLAYS_KEY: Final = web.AppKey("displays", DisplayLog)
TRUSTED_KEY: Final = web.AppKey("trusted", frozenset[str])
KEYLESS_KEY: Final = web.AppKey("keyless", bool)
# A started link waits this long for its pasted address; at most this many wait at once.
LINK_EXPIRES_AFTER: Final = 1800.0
MAX_PENDING_LINKS: Final = 16
BACK: Final = '<p><a href=".">Back</a></p>'
BACK_UP: Final = '<p><a href="../">Back</a></p>'
HAN_READINGS: Final = tuple(r.value for r in HanReading if r is not HanReading.KOREAN)

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True, slots=True)
class PendingLink:
    """A link started in the UI, waiting for the address the browser ended on."""

    flow: PasteFlow
    options: LinkOptions
    started: float


class PendingLinks:
    """The links waiting for their pasted address, by uid; few, and not for long."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        """Start with none."""
        self._clock = clock
        self._pending: dict[str, PendingLink] = {}

    def add(self, flow: PasteFlow, options: LinkOptions) -> None:
        """Remember a started link (replacing an earlier one for the same uid)."""
        self._expire()
        self._pending.pop(options.uid, None)
        if len(self._pending) >= MAX_PENDING_LINKS:
            self._pending.pop(next(iter(self._pending)))
        self._pending[options.uid] = PendingLink(flow, options, self._clock())

    def get(self, uid: str) -> PendingLink | None:
        """The link waiting for `uid`, if it has not expired."""
        self._expire()
        return self._pending.get(uid)

    def done(self, uid: str) -> None:
        """Forget a finished link."""
        self._pending.pop(uid, None)

    def _expire(self) -> None:
        horizon = self._clock() - LINK_EXPIRES_AFTER
        for uid in [uid for uid, link in self._pending.items() if link.started < horizon]:
            del self._pending[uid]


FLOWS_KEY: Final = web.AppKey("flows", PendingLinks)


@web.middleware
async def trusted_only(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse every address but the trusted ones (HA's ingress gateway), and forged forms.

    A page from another site open in the operator's browser could post the UI's forms
    (unlink, say) to a trusted address; browsers mark such requests cross-site.
    """
    if request.remote not in request.app[TRUSTED_KEY]:
        return error_response(
            403, "forbidden", "the admin UI is reachable through Home Assistant only"
        )
    if request.method == "POST" and request.headers.get("Sec-Fetch-Site") == "cross-site":
        return error_response(403, "cross_site", "forms from other sites are refused")
    return await handler(request)


def _runtime(request: web.Request, uid: str) -> AccountRuntime | None:
    return request.app[REGISTRY_KEY].get(uid)


def _no_such_account(uid: str) -> web.Response:
    return page("Spotify LCD", f"<p>No account called “{html.escape(uid)}” is linked.</p>{BACK}")


async def handle_index(request: web.Request) -> web.Response:
    """Every account: state and why, its device key, the LCD as it looks now, and actions."""
    registry = request.app[REGISTRY_KEY]
    now = request.app[CLOCK_KEY]()
    rows = [_account_row(runtime, now) for runtime in registry.runtimes()]
    table = "".join(rows) or '<tr><td colspan="6">No account linked yet.</td></tr>'
    store = ""
    if registry.store_error is not None:
        store = (
            f"<p><strong>Account store unavailable:</strong> {html.escape(registry.store_error)}"
        )
    return page(
        "Spotify LCD",
        f'{store}<p><a href=".">Refresh</a></p>'
        "<table><tr><th>uid</th><th>state</th><th>now playing</th><th>device key</th>"
        f"<th>LCD</th><th></th></tr>{table}</table>"
        "<h2>Displays</h2>"
        + displays_table(request.app[DISPLAYS_KEY].recent(), now)
        + _link_form()
        + ANIMATE_PREVIEWS,
    )


def _account_row(runtime: AccountRuntime, now: float) -> str:
    uid = html.escape(runtime.uid)
    key = (
        "(none: open demo)"
        if runtime.public
        else (runtime.account.device_key or "(none: keyless)")
        + (" — keyless from private networks" if runtime.account.keyless else "")
    )
    controls = (
        ""
        if runtime.public or runtime.account.can_control
        else '<div class="why">Linked before playback controls: link again to enable them.</div>'
    )
    actions = ""
    if not runtime.public:
        hidden = f'<input type="hidden" name="uid" value="{uid}">'
        # A JavaScript string in an attribute: JSON-quoted, then HTML-escaped.
        confirm = html.escape(f"return confirm({json.dumps(f'Unlink {runtime.uid}?')})")
        actions = (
            f'<a href="settings?uid={query_value(runtime.uid)}">Settings</a> '
            f'<form class="inline" method="post" action="retry">{hidden}'
            '<button type="submit">Retry now</button></form> '
            f'<form class="inline" method="post" action="unlink">{hidden}'
            f'<button type="submit" onclick="{confirm}">Unlink</button></form>'
        )
    return (
        f"<tr><td>{uid}{controls}</td>{state_cells(runtime, now)}"
        f"<td><code>{html.escape(key)}</code></td><td>{lcd_image(runtime.uid)}</td>"
        f"<td>{actions}</td></tr>"
    )


def _link_form() -> str:
    return (
        "<h2>Link a Spotify account</h2>"
        "<p>Create an app in Spotify's developer dashboard and add the redirect URI "
        f"<code>{redirect_uri(DEFAULT_REDIRECT_PORT)}</code>. Spotify allows plain "
        "http only for the loopback address, and ingress addresses change, so the browser will "
        "end on a page that does not load: you paste its address back here.</p>"
        '<form method="post" action="link">'
        f'<label>Display uid <input name="uid" required maxlength="{MAX_UID_LENGTH}"></label><br>'
        '<label>Client id <input name="client_id" required></label><br>'
        '<label>Client secret <input name="client_secret" type="password" required></label><br>'
        '<button type="submit">Continue to Spotify</button></form>'
    )


async def handle_link(request: web.Request) -> web.Response:
    """Start linking: remember the flow, send the user to Spotify, ask for the pasted URL."""
    form = await read_fields(request)
    uid, client_id, secret = (
        form.get(name, "").strip() for name in ("uid", "client_id", "client_secret")
    )
    if not (uid and client_id and secret) or len(uid) > MAX_UID_LENGTH or not uid.isprintable():
        return page(
            "Spotify LCD",
            "<p>uid (printable, at most 64 characters), client id and secret are all needed.</p>"
            + BACK,
        )
    registry = request.app[REGISTRY_KEY]
    flow = PasteFlow(client_id, secret, DEFAULT_REDIRECT_PORT, registry.client.endpoints)
    options = LinkOptions(uid, client_id, secret, keyless=request.app[KEYLESS_KEY])
    request.app[FLOWS_KEY].add(flow, options)
    return _paste_page(flow, uid, action="link/finish", problem="")


def _paste_page(flow: PasteFlow, uid: str, *, action: str, problem: str) -> web.Response:
    url = html.escape(flow.authorize_url())
    retry = (
        f"<p><strong>Linking failed:</strong> {html.escape(problem)}</p>"
        "<p>Paste the address again, or open Spotify again if it says the code was used.</p>"
        if problem
        else ""
    )
    return page(
        f"Link {uid}",
        retry + f'<p>1. <a href="{url}" target="_blank" rel="noopener">Open Spotify</a>, allow '
        "access.</p><p>2. Copy the whole address of the page that fails to load, and paste it "
        f'here:</p><form method="post" action="{action}">'
        f'<input type="hidden" name="uid" value="{html.escape(uid)}">'
        '<input name="redirect" size="80" required><button type="submit">Link</button></form>',
    )


async def handle_link_finish(request: web.Request) -> web.StreamResponse:
    """Trade the pasted redirect for tokens, store the account, serve it at once.

    A wrong paste, or Spotify out of reach, shows the paste form again with the reason.
    """
    form = await read_fields(request)
    uid = form.get("uid", "")
    registry = request.app[REGISTRY_KEY]
    pending = request.app[FLOWS_KEY].get(uid)
    if pending is None:
        return page("Spotify LCD", f"<p>That attempt expired; start again.</p>{BACK_UP}")
    try:
        grant = await asyncio.to_thread(pending.flow.exchange, form.get("redirect", ""))
        await save_linked_account(registry.store, registry.client, pending.options, grant)
    except SpotifyLCDError as err:
        return _paste_page(pending.flow, uid, action="finish", problem=str(err))
    request.app[FLOWS_KEY].done(uid)
    await registry.sync()
    raise web.HTTPSeeOther("../")


async def handle_settings(request: web.Request) -> web.Response:
    """`settings?uid=…`: the account's display settings and overrides, as a form."""
    uid = request.query.get("uid", "")
    runtime = _runtime(request, uid)
    if runtime is None or runtime.public:
        return _no_such_account(uid)
    return _settings_page(runtime.account, problem="")


def _options(name: str, values: Iterable[str], current: str) -> str:
    choices = "".join(
        f"<option{' selected' if value == current else ''}>{html.escape(value)}</option>"
        for value in values
    )
    return f'<label>{name} <select name="{name}">{choices}</select></label><br>'


def _settings_page(account: Account, *, problem: str) -> web.Response:
    overrides = "\n".join(
        f"{source} = {shown}" for source, shown in sorted(account.overrides.items())
    )
    return page(
        f"Settings of {account.uid}",
        (f"<p><strong>Not saved:</strong> {html.escape(problem)}</p>" if problem else "")
        + '<form method="post" action="settings">'
        f'<input type="hidden" name="uid" value="{html.escape(account.uid)}">'
        + _options("rom", [rom.value for rom in Rom], account.rom)
        + _options("size", SIZES, account.size)
        + _options("japanese", [mode.value for mode in JapaneseMode], account.japanese)
        + _options("han_reading", HAN_READINGS, account.han_reading)
        + "<p>Overrides, one per line: <code>exact title, artist or album = what to show</code>"
        "</p>"
        f'<textarea name="overrides" rows="8" cols="60">{html.escape(overrides)}</textarea><br>'
        '<button type="submit">Save</button></form>' + BACK,
    )


async def handle_save_settings(request: web.Request) -> web.StreamResponse:
    """Store the edited settings (compare-and-set) and serve them at once."""
    form = await read_fields(request)
    uid = form.get("uid", "")
    runtime = _runtime(request, uid)
    if runtime is None or runtime.public:
        return _no_such_account(uid)
    account = runtime.account
    try:
        changed = account.with_changes(
            rom=_choice(form, "rom", [rom.value for rom in Rom], account.rom),
            size=_choice(form, "size", list(SIZES), account.size),
            japanese=_choice(
                form, "japanese", [mode.value for mode in JapaneseMode], account.japanese
            ),
            han_reading=_choice(form, "han_reading", HAN_READINGS, account.han_reading),
            overrides=_overrides(form.get("overrides", "")),
        )
    except ValueError as err:
        return _settings_page(account, problem=str(err))
    registry = request.app[REGISTRY_KEY]
    try:
        await registry.store.save_if_unchanged(changed)
    except StoreConflictError:
        return _settings_page(
            account, problem="the account changed meanwhile (a token refresh?); save again"
        )
    except SpotifyLCDError as err:
        return _settings_page(account, problem=str(err))
    await registry.sync()
    raise web.HTTPSeeOther(".")


def _choice(form: dict[str, str], name: str, allowed: Sequence[str], current: str) -> str:
    value = form.get(name, current)
    if value not in allowed:
        msg = f"{name} must be one of {', '.join(allowed)}"
        raise ValueError(msg)
    return value


def _overrides(text: str) -> dict[str, str]:
    overrides = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        source, separator, shown = line.partition("=")
        if not separator or not source.strip() or not shown.strip():
            msg = f"override line {number} is not `source = shown`: {line!r}"
            raise ValueError(msg)
        overrides[source.strip()] = shown.strip()
    return overrides


async def handle_unlink(request: web.Request) -> web.StreamResponse:
    """Forget the account: its tokens leave the store and its displays get 404."""
    uid = (await read_fields(request)).get("uid", "")
    runtime = _runtime(request, uid)
    if runtime is None or runtime.public:
        return _no_such_account(uid)
    try:
        await request.app[REGISTRY_KEY].unlink(uid)
    except SpotifyLCDError as err:
        return page("Spotify LCD", f"<p>Unlinking failed: {html.escape(str(err))}</p>{BACK}")
    raise web.HTTPSeeOther(".")


async def handle_retry(request: web.Request) -> web.StreamResponse:
    """Refresh the token and poll now, e.g. once Spotify stopped refusing the account."""
    uid = (await read_fields(request)).get("uid", "")
    runtime = _runtime(request, uid)
    if runtime is None or runtime.public:
        return _no_such_account(uid)
    now = request.app[CLOCK_KEY]()
    wait = runtime.retry_wait(now)
    if wait:
        return page(
            "Spotify LCD",
            f"<p>{html.escape(uid)} was retried recently, or Spotify asked us to wait: "
            f"try again in {wait:.0f} s.</p>{BACK}",
        )
    try:
        await runtime.retry_now(now)
    except SpotifyLCDError as err:
        return page("Spotify LCD", f"<p>Spotify refused: {html.escape(str(err))}</p>{BACK}")
    raise web.HTTPSeeOther(".")


async def handle_preview(request: web.Request) -> web.Response:
    """`GET preview?uid=…&t=…`: an account's LCD, as on the status page."""
    return preview_response(request.app[REGISTRY_KEY], request.query, request.app[CLOCK_KEY]())


def create_admin_app(
    registry: AccountRegistry,
    trusted: Iterable[str],
    *,
    keyless_links: bool = False,
    clock: Callable[[], float],
    displays: DisplayLog | None = None,
) -> web.Application:
    """The admin app for `registry`, answering only `trusted` addresses."""
    app = web.Application(middlewares=[json_errors, trusted_only], client_max_size=16 * 1024)
    app[REGISTRY_KEY] = registry
    app[CLOCK_KEY] = clock
    app[DISPLAYS_KEY] = displays or DisplayLog(clock=clock)
    app[TRUSTED_KEY] = frozenset(trusted)
    app[FLOWS_KEY] = PendingLinks()
    app[KEYLESS_KEY] = keyless_links
    app.router.add_get("/", handle_index)
    app.router.add_get("/preview", handle_preview)
    app.router.add_post("/link", handle_link)
    app.router.add_post("/link/finish", handle_link_finish)
    app.router.add_get("/settings", handle_settings)
    app.router.add_post("/settings", handle_save_settings)
    app.router.add_post("/unlink", handle_unlink)
    app.router.add_post("/retry", handle_retry)
    return app
