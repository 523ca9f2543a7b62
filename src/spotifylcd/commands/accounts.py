"""`spotify-lcd accounts`, `unlink` and `settings`: the linked accounts in the store."""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING

from ..exceptions import SpotifyLCDError
from . import store_of

if TYPE_CHECKING:
    import argparse
    from typing import TextIO


def run(args: argparse.Namespace) -> None:
    """List, unlink or change settings, as `args.command` says."""
    command = {"accounts": list_accounts, "unlink": unlink, "settings": change_settings}
    asyncio.run(command[args.command](args, sys.stdout))


async def change_settings(args: argparse.Namespace, out: TextIO) -> None:
    """Apply the given display settings to `--uid` (compare-and-set), then print them all."""
    store = store_of(args)
    try:
        account = await store.get(args.uid)
        overrides = dict(account.overrides)
        for item in args.override:
            source, separator, shown = str(item).partition("=")
            if not separator or not source:
                msg = f"--override takes SOURCE=SHOWN, not {item!r}"
                raise SpotifyLCDError(msg)
            if shown:
                overrides[source] = shown
            else:
                overrides.pop(source, None)
        changes = {
            name: value
            for name in ("rom", "size", "japanese", "han_reading")
            if (value := getattr(args, name)) is not None
        }
        account = await store.save_if_unchanged(
            account.with_changes(overrides=overrides, **changes)
        )
    finally:
        await store.close()
    print(
        f"{account.uid}: rom {account.rom}, size {account.size}, japanese {account.japanese}, "
        f"han-reading {account.han_reading}",
        file=out,
    )
    for source, shown in sorted(account.overrides.items()):
        print(f"  {source} = {shown}", file=out)


async def list_accounts(args: argparse.Namespace, out: TextIO) -> None:
    """One line per linked account: uid, access, Spotify user, display, link state."""
    store = store_of(args)
    try:
        accounts = await store.list_accounts()
    finally:
        await store.close()
    if not accounts:
        print("No account is linked; add one with spotify-lcd link --uid NAME.", file=out)
        return
    header = ["uid", "access", "spotify user", "display", "state", "controls"]
    rows = [
        [
            account.uid,
            "keyless" if account.keyless else "device key",
            account.spotify_user_id or "-",
            f"{account.rom} {account.size}",
            "needs re-link" if account.needs_relink else "linked",
            "yes" if account.can_control else "re-link to enable controls",
        ]
        + ([account.device_key or "-"] if args.show_keys else [])
        for account in accounts
    ]
    if args.show_keys:
        header.append("device key")
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header))]
    for row in [header, *rows]:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip(),
            file=out,
        )


async def unlink(args: argparse.Namespace, out: TextIO) -> None:
    """Delete `--uid` and its tokens from the store."""
    store = store_of(args)
    try:
        await store.delete(args.uid)
    finally:
        await store.close()
    print(
        f"Unlinked {args.uid!r}: its tokens are deleted, and a running server stops serving it "
        "within 30 s.\nTo revoke the app's access at Spotify too, remove it at "
        "https://www.spotify.com/account/apps/.",
        file=out,
    )
