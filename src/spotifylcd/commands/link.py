"""`spotify-lcd link`: link a Spotify account headlessly, by refresh token or paste flow."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from typing import TYPE_CHECKING

import aiohttp

from ..exceptions import AccountNotFoundError, SpotifyLCDError
from ..link import LinkOptions, PasteFlow, save_linked_account
from ..spotify import SpotifyClient, SpotifyEndpoints, TokenGrant
from . import store_of

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable
    from typing import TextIO

    from ..store import TokenStore


def run(args: argparse.Namespace) -> None:
    """Link `--uid`, asking on the terminal."""
    asyncio.run(link(args, input_line=input, out=sys.stdout))


async def link(args: argparse.Namespace, *, input_line: Callable[[str], str], out: TextIO) -> None:
    """Link `--uid` by refresh-token import or the paste-the-redirect flow; print its key."""
    store = store_of(args)
    endpoints = SpotifyEndpoints.from_env()
    try:
        client_id, client_secret = await _credentials(args, store)
        options = LinkOptions(args.uid, client_id, client_secret, keyless=args.keyless)
        async with aiohttp.ClientSession() as session:
            client = SpotifyClient(session, endpoints)
            grant: TokenGrant
            if args.refresh_token:
                grant = await client.refresh_access_token(
                    client_id, client_secret, args.refresh_token
                )
            else:
                flow = PasteFlow(client_id, client_secret, args.redirect_port, endpoints)
                print(
                    "1. In your Spotify app's settings, add the redirect URI\n"
                    f"   http://127.0.0.1:{args.redirect_port}/callback\n"
                    "2. Open this address in a browser and allow access:\n"
                    f"   {flow.authorize_url()}\n"
                    "3. The browser ends on a page that fails to load; copy its whole address.",
                    file=out,
                )
                pasted = await asyncio.to_thread(input_line, "Paste the address here: ")
                grant = await asyncio.to_thread(flow.exchange, pasted)
            account = await save_linked_account(store, client, options, grant)
    finally:
        await store.close()
    print(
        f"Linked {account.uid!r} to Spotify user {account.spotify_user_id!r}.\n"
        f"Device key: {account.device_key}\n"
        + (
            "Keyless legacy mode is on (private-network clients only).\n" if account.keyless else ""
        ),
        file=out,
    )


async def _credentials(args: argparse.Namespace, store: TokenStore) -> tuple[str, str]:
    if args.client_id and args.client_secret:
        return str(args.client_id), str(args.client_secret)
    with contextlib.suppress(AccountNotFoundError):
        existing = await store.get(args.uid)
        if existing.client_id and existing.client_secret:
            return existing.client_id, existing.client_secret
    msg = "give --client-id and --client-secret (or SPOTIFY_LCD_CLIENT_ID / _SECRET)"
    raise SpotifyLCDError(msg)
