"""One token write with 10, 1,000 and 10,000 accounts in the embedded file store.

A token write is what `StoredTokens` does with a refreshed token: `get` the account, then
`save_if_unchanged` it holding the new tokens. Each size has its own store, filled through the
store itself; every round times WRITES writes to random accounts of each size in turn, so the
sizes share the machine's state. Prints per size the median write of each round (min, median
and max over the rounds), its ratio to the 10-account store, and what reading every account
costs (start-up and the server's rescan). Then issue 17's scenario: 1,000 accounts of a
1,000-account store each storing one refreshed token at the same time.
The stores live in the system's temporary directory: where that is a tmpfs, pass --dir on the
disk the data directory will live on, for fsync costs what it costs there.
Run: .venv/bin/python bench/store_writes.py [--rounds 3] [--writes 200] [--dir DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from spotifylcd.account import Account
from spotifylcd.spotify import TokenGrant
from spotifylcd.store import FileTokenStore

SIZES = (10, 1_000, 10_000)
CONCURRENT = 1_000


def account(n: int) -> Account:
    """A linked account with tokens as long as Spotify's."""
    return Account(
        uid=f"display-{n:05}",
        client_id="c" * 32,
        client_secret="s" * 32,
        access_token="a" * 300,
        refresh_token="r" * 131,
        expires_at=time.time() + 3600,
        device_key="k" * 22,
        spotify_user_id=f"user-{n}",
    )


async def token_write(store: FileTokenStore, uid: str, n: int) -> None:
    stored = await store.get(uid)
    grant = TokenGrant(f"{n:0300}", stored.refresh_token, time.time() + 3600)
    await store.save_if_unchanged(stored.with_grant(grant))


async def filled(work: Path, size: int) -> FileTokenStore:
    store = FileTokenStore(work / str(size))
    for n in range(size):
        await store.put(account(n))
    return store


async def median_write(store: FileTokenStore, size: int, writes: int, rng: random.Random) -> float:
    seconds = []
    for n in range(writes):
        uid = account(rng.randrange(size)).uid
        started = time.perf_counter()
        await token_write(store, uid, n)
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


async def timed_list(store: FileTokenStore) -> float:
    started = time.perf_counter()
    await FileTokenStore(store.data_dir).list_accounts()
    return time.perf_counter() - started


async def all_at_once(store: FileTokenStore, round_number: int) -> float:
    """Until the last of CONCURRENT accounts has stored its refreshed token."""
    started = time.perf_counter()
    await asyncio.gather(
        *(token_write(store, account(n).uid, round_number) for n in range(CONCURRENT))
    )
    return time.perf_counter() - started


def spread(values: list[float], scale: float = 1000.0) -> str:
    low, middle, high = min(values), statistics.median(values), max(values)
    return f"{low * scale:9.3f} {middle * scale:9.3f} {high * scale:9.3f}"


async def main(rounds: int, writes: int, directory: Path | None) -> None:
    rng = random.Random(17)
    with tempfile.TemporaryDirectory(prefix="spotify-lcd-store-", dir=directory) as work:
        print(f"filling stores of {', '.join(f'{size:,}' for size in SIZES)} accounts...")
        stores = {size: await filled(Path(work), size) for size in SIZES}
        write: dict[int, list[float]] = {size: [] for size in SIZES}
        listing: dict[int, list[float]] = {size: [] for size in SIZES}
        burst: list[float] = []
        for round_number in range(rounds):
            for size, store in stores.items():
                write[size].append(await median_write(store, size, writes, rng))
                listing[size].append(await timed_list(store))
            burst.append(await all_at_once(stores[CONCURRENT], round_number))
    print(
        f"one token write (get + save_if_unchanged), median of {writes} writes per round, "
        f"{rounds} rounds"
    )
    print(f"  {'accounts':>8}  {'ms: min':>9} {'median':>9} {'max':>9}   ratio to 10 accounts")
    for size in SIZES:
        ratios = [mine / base for mine, base in zip(write[size], write[SIZES[0]], strict=True)]
        print(f"  {size:>8,}  {spread(write[size])}   {spread(ratios, scale=1.0)}")
    print("reading every account (list_accounts of a freshly opened store)")
    for size in SIZES:
        print(f"  {size:>8,}  {spread(listing[size])}")
    print(
        f"{CONCURRENT:,} accounts each storing a refreshed token at once, until the last is stored"
    )
    print(f"  {'':>8}  {spread(burst)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--dir", type=Path, help="where the stores live (default: temp dir)")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.rounds, arguments.writes, arguments.dir))
