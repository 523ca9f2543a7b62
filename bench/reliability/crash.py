"""The crash loop: kill -9 a process while it rotates tokens through the file store.

The process runs the server's own token code (`StoredTokens.refresh` against the fake
Spotify, which hands out a new refresh token every time) in a loop; it is killed at a random
moment, again and again. After every kill the account file must be whole and hold a refresh
token Spotify issued; a copy left mid-write must be owner-only, and gone once a store opens
the directory again (as a restarted server does).
"""

from __future__ import annotations

import asyncio
import json
import random
import signal
import stat
import sys
import tempfile
from collections import Counter
from pathlib import Path

from spotifylcd.store import FileTokenStore
from spotifylcd.store.file import LOCK_NAME

from .harness import ROOT, SpotifyDouble, table

ROTATE = """
import asyncio, sys
import aiohttp
from spotifylcd.spotify import SpotifyClient, SpotifyEndpoints
from spotifylcd.store import FileTokenStore
from spotifylcd.stored_tokens import StoredTokens

async def main() -> None:
    store = FileTokenStore(sys.argv[1])
    async with aiohttp.ClientSession() as session:
        client = SpotifyClient(session, SpotifyEndpoints.from_env())
        tokens = StoredTokens(client, store, await store.get("rotating"))
        print("rotating", flush=True)
        while True:
            await tokens.refresh()

asyncio.run(main())
"""


async def run(*, kills: int) -> bool:
    """Kill the rotating process `kills` times; print what every kill left behind."""
    spotify = SpotifyDouble()
    spotify.fake.rotate_refresh_tokens = True
    await spotify.start()
    data = Path(tempfile.mkdtemp(prefix="spotify-lcd-crash-"))
    await FileTokenStore(data).put(spotify.seed("rotating"))
    outcome: Counter[str] = Counter()
    rng = random.Random(20_261_124)
    try:
        for _ in range(kills):
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                ROTATE,
                str(data),
                env=spotify.env(),
                cwd=ROOT,
                stdout=asyncio.subprocess.PIPE,
            )
            assert process.stdout is not None
            assert await process.stdout.readline() == b"rotating\n"
            await asyncio.sleep(rng.uniform(0.005, 0.15))
            process.send_signal(signal.SIGKILL)
            await process.wait()
            _inspect(data, spotify, outcome)
            await FileTokenStore(data).list_accounts()  # what a restarting server does first
            outcome["leftovers after reopening"] += len(_leftovers(data))
    finally:
        await spotify.stop()
    issued = len(spotify.issued.get("rotating", []))
    print(f"crash loop: {kills} kill -9 while rotating ({issued} tokens issued in all)")
    print(
        table(
            ["after a kill", "count"],
            [
                ["account file whole", outcome["whole"]],
                ["account file broken", outcome["broken"]],
                ["holds the newest token Spotify issued", outcome["latest"]],
                [
                    "holds an older one (killed between Spotify's answer and the write)",
                    outcome["older"],
                ],
                ["holds a token Spotify never issued", outcome["unknown"]],
                ["holds a token Spotify still accepts", outcome["accepted"]],
                ["a copy left mid-write (owner-only)", outcome["copy 0600"]],
                ["a copy left mid-write readable by others", outcome["copy open"]],
                ["leftovers after reopening the store", outcome["leftovers after reopening"]],
            ],
        )
    )
    return (
        outcome["whole"] == outcome["accepted"] == kills
        and outcome["unknown"] == outcome["copy open"] == 0
        and outcome["leftovers after reopening"] == 0
    )


def _leftovers(data: Path) -> list[Path]:
    store = FileTokenStore(data)
    kept = {store.accounts_dir, store.accounts_dir / LOCK_NAME, store.record_path("rotating")}
    return [path for path in data.rglob("*") if path not in kept]


def _inspect(data: Path, spotify: SpotifyDouble, outcome: Counter[str]) -> None:
    try:
        stored = json.loads(FileTokenStore(data).record_path("rotating").read_text())["account"]
    except (OSError, ValueError, KeyError):
        outcome["broken"] += 1
        return
    outcome["whole"] += 1
    issued = ["refresh-rotating", *spotify.issued.get("rotating", [])]
    token = stored["refresh_token"]
    # Spotify may have answered a request whose sender was already dead: the newest token
    # issued is then one nobody received.
    kind = "latest" if token == issued[-1] else ("older" if token in issued else "unknown")
    outcome[kind] += 1
    outcome["accepted"] += token in spotify.fake.valid_refresh_tokens
    for leftover in _leftovers(data):
        private = stat.S_IMODE(leftover.stat().st_mode) & 0o077 == 0
        outcome["copy 0600" if private else "copy open"] += 1
