"""Issue 17's scale table: one `spotify-lcd serve` for N linked accounts, 2 displays each.

For each account count, a fresh store of N accounts (written through the store API), the
bench's Spotify (`bench/scale_spotify.py`: 70 % playing, 20 % paused, 10 % idle, each account
its own tokens and tracks), the server (`bench/scale_servers.py`) and 2 displays per account,
one legacy v1 and one ESPHome v2, asking `POST /get` at 1 Hz (0.2 Hz at 3,000 accounts, the
issue's goal), each on a new connection, from their own processes
(`bench/scale_displays.py`). After a warm-up one steady window is measured:

- /get req/s: requests per second; CPU: the server's CPU time, % of one core; RSS at the end;
- p50 / p99: `/get` latency as the display sees it, from its connect to the last byte;
- polls/min per playing account: Spotify player calls (the issue's goal: 12 +/- 0.5);
- burst max/mean: Spotify calls of any kind per 100 ms: the busiest window against the mean;
- timeouts: `/get` requests unanswered after --timeout, and accounts the server logged as
  stale because Spotify "did not answer in time" (its connections to Spotify are pooled).

A second table shows the load side: the rate asked against the rate offered, the displays'
own CPU and timer lag (a saturated generator shows there), this process's CPU (the bench's
Spotify), HAProxy's and MongoDB's CPU (with --processes above 1), how busy the machine was
(% of all cores) and what of it was none of these (other jobs, the kernel; % of one core, as
the other CPU figures), and connects the server's listen queue dropped (each costs a display
the kernel's 1 s SYN retry; counted machine-wide). Run from the repository root:

    .venv/bin/python bench/scale.py --accounts 10,100,1000,3000   # ~7 min
    .venv/bin/python bench/scale.py --quick                        # 10 and 100 accounts, ~40 s

`--accounts 3000@1` sets the display rate of one entry.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scale_displays import DisplayLoad, run_displays
from bench.scale_servers import ServerGroup, process_cpu_seconds, start_servers
from bench.scale_spotify import ScaleSpotify, State, device_key_of, state_of, uid_of
from tests.loopback import free_port
from tests.mongodb import _wait_for_mongodb, start_nx_27017

from spotifylcd.store import open_store

# The issue's goal runs 3,000 accounts' displays at 0.2 Hz; every other count at 1 Hz.
ISSUE_HZ: Final = {3000: 0.2}
BURST_WINDOW: Final = 0.1
SPOTIFY_TIMEOUT_LOG: Final = "did not answer"


@dataclass(frozen=True, slots=True)
class Size:
    """One row: how many accounts, how often each display asks, how many servers answer."""

    accounts: int
    hz: float
    servers: int = 1


@dataclass(frozen=True, slots=True)
class Sample:
    """Counters read at one instant, so a window's figures are differences of two."""

    at: float
    server_cpu: float
    bench_cpu: float
    balancer_cpu: float
    mongodb_cpu: float
    machine_busy: float
    machine_total: float
    listen_drops: int
    log_offset: int

    @classmethod
    def take(cls, servers: ServerGroup, mongodb: subprocess.Popen[bytes] | None) -> Sample:
        busy, total = _machine_ticks()
        return cls(
            time.monotonic(),
            servers.cpu_seconds(),
            time.process_time(),
            servers.balancer_cpu_seconds(),
            process_cpu_seconds(mongodb.pid) if mongodb else 0.0,
            busy,
            total,
            _listen_drops(),
            servers.log_size(),
        )


@dataclass(frozen=True, slots=True)
class Row:
    """One account count's figures."""

    size: Size
    displays: DisplayLoad
    window: float
    server_cpu: float
    rss_mib: float
    polls_per_playing: float
    burst_max: int
    burst_mean: float
    spotify_timeouts: int
    other_calls: Counter[str]
    bench_cpu: float
    balancer_cpu: float
    mongodb_cpu: float
    machine_cpu: float
    listen_drops: int
    warnings: int
    store_seconds: float
    first_polls_seconds: float | None

    @property
    def others_cpu(self) -> float:
        """CPU used by everything else on the machine (other jobs), % of one core."""
        cores = os.cpu_count() or 1
        displays = self.displays.cpu_seconds / self.window * 100
        apart = self.server_cpu + displays + self.bench_cpu + self.balancer_cpu + self.mongodb_cpu
        return self.machine_cpu * cores - apart


def _machine_ticks() -> tuple[float, float]:
    """(busy, total) CPU ticks of the whole machine since boot (proc(5), /proc/stat)."""
    fields = [
        float(field) for field in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    ]
    idle = fields[3] + fields[4]  # idle and iowait
    return sum(fields) - idle, sum(fields)


def _listen_drops() -> int:
    """Connects dropped by a full listen queue, machine-wide (TcpExt ListenDrops)."""
    lines = Path("/proc/net/netstat").read_text().splitlines()
    header, values = lines[0].split(), lines[1].split()
    return int(values[header.index("ListenDrops")])


def display_bodies(accounts: int) -> list[str]:
    """A legacy v1 and an ESPHome v2 display per account: their `POST /get` forms."""
    bodies = []
    for index in range(accounts):
        fields = {"uid": uid_of(index), "key": device_key_of(index)}
        bodies.append(urlencode(fields))
        bodies.append(urlencode({**fields, "v": "2", "rom": "A00", "size": "16x2"}))
    return bodies


def parse_sizes(text: str) -> list[Size]:
    """`10,100,3000@0.2`: account counts, each with an optional display rate in Hz."""
    sizes = []
    for item in text.split(","):
        count, _, hz = item.strip().partition("@")
        try:
            accounts = int(count.replace("_", ""))
            rate = float(hz) if hz else ISSUE_HZ.get(accounts, 1.0)
        except ValueError:
            raise SystemExit(
                f"--accounts: {item!r} is not a count (or count@hz), e.g. 1000 or 3000@0.2"
            ) from None
        if accounts < 1 or rate <= 0:
            raise SystemExit(f"--accounts: {item!r} needs at least 1 account and a rate above 0")
        sizes.append(Size(accounts, rate))
    return sizes


def parse_processes(text: str) -> list[int]:
    """`1,3`: server counts, a row of each per account count."""
    try:
        counts = [int(item) for item in text.split(",")]
    except ValueError:
        raise SystemExit(f"--processes: {text!r} is not a list of counts, e.g. 1,3") from None
    if any(count < 1 for count in counts):
        raise SystemExit(f"--processes: {text!r} needs at least 1 server per row")
    return counts


async def write_store(spotify: ScaleSpotify, location: str) -> float:
    """Link every account in a fresh store at `location` (as `serve --store`); the seconds."""
    store = open_store(location)
    started = time.monotonic()
    for index in range(spotify.accounts):
        await store.put(spotify.account(index))
    await store.close()
    return time.monotonic() - started


async def wait_first_polls(spotify: ScaleSpotify, since: float, limit: float) -> float | None:
    """Seconds from `since` until every account's player was asked once (None: not in time)."""
    deadline = time.monotonic() + limit
    polled: set[int] = set()
    seen = 0
    while time.monotonic() < deadline:
        calls = spotify.calls[seen:]
        seen += len(calls)
        for call in calls:
            if call.kind == "player":
                polled.add(call.account)
                if len(polled) == spotify.accounts:
                    return call.at - since
        await asyncio.sleep(0.2)
    return None


def spotify_figures(
    spotify: ScaleSpotify, start: float, end: float
) -> tuple[float, int, float, Counter[str]]:
    """(player calls/min per playing account, busiest 100 ms, mean 100 ms, other calls)."""
    windows: Counter[int] = Counter()
    playing_polls = 0
    other: Counter[str] = Counter()
    for call in spotify.calls:
        if not start <= call.at < end:
            continue
        windows[int((call.at - start) / BURST_WINDOW)] += 1
        if call.kind != "player":
            other[call.kind] += 1
        elif call.account >= 0 and state_of(call.account) is State.PLAYING:
            playing_polls += 1
    playing = sum(state_of(index) is State.PLAYING for index in range(spotify.accounts))
    minutes = (end - start) / 60
    count = math.ceil((end - start) / BURST_WINDOW)
    return (
        playing_polls / playing / minutes if playing else 0.0,
        max(windows.values(), default=0),
        sum(windows.values()) / count,
        other,
    )


async def measure(size: Size, args: argparse.Namespace, work: Path) -> Row:
    """One row: store, Spotify, server, warm-up, then the measured window."""
    spotify = ScaleSpotify(size.accounts)
    await spotify.start()
    servers: ServerGroup | None = None
    mongodb: subprocess.Popen[bytes] | None = None
    try:
        print(f"{size.accounts:,} accounts: linking", file=sys.stderr, flush=True)
        store = str(work / "store")
        if size.servers > 1:
            mongodb = start_nx_27017(port := free_port(), work)
            store = f"mongodb://localhost:{port}"
            _wait_for_mongodb(store, mongodb)
        store_seconds = await write_store(spotify, store)
        launched = time.monotonic()
        servers = await start_servers(store, spotify.env(), work / "serve.log", size.servers)
        first_polls = await wait_first_polls(spotify, launched, limit=max(60.0, args.warm_up))
        print(f"{size.accounts:,} accounts: warming up, then measuring", file=sys.stderr)
        start = time.monotonic() + args.warm_up
        end = start + args.seconds
        displays = asyncio.create_task(
            run_displays(
                servers.url,
                display_bodies(size.accounts),
                hz=size.hz,
                start=start,
                end=end,
                display_timeout=args.timeout,
                keep_alive=args.keep_alive,
                processes=args.display_processes,
            )
        )
        await asyncio.sleep(start - time.monotonic())
        before = Sample.take(servers, mongodb)
        if args.kill_one_after is not None:
            await asyncio.sleep(args.kill_one_after)
            servers.kill_one()
            print(f"killed one server {args.kill_one_after:g} s into the window", file=sys.stderr)
        await asyncio.sleep(end - time.monotonic())
        after = Sample.take(servers, mongodb)
        rss = servers.rss_mib()
        seen = await displays
        if len(servers.exited()) > (args.kill_one_after is not None):
            raise SystemExit(f"the server exited during the run; see {servers.log}")
        log = servers.log_since(before.log_offset)
        window = after.at - before.at
        polls, burst_max, burst_mean, other = spotify_figures(spotify, before.at, after.at)
        return Row(
            size=size,
            displays=seen,
            window=window,
            server_cpu=(after.server_cpu - before.server_cpu) / window * 100,
            rss_mib=rss,
            polls_per_playing=polls,
            burst_max=burst_max,
            burst_mean=burst_mean,
            spotify_timeouts=sum(SPOTIFY_TIMEOUT_LOG in line for line in log),
            other_calls=other,
            bench_cpu=(after.bench_cpu - before.bench_cpu) / window * 100,
            balancer_cpu=(after.balancer_cpu - before.balancer_cpu) / window * 100,
            mongodb_cpu=(after.mongodb_cpu - before.mongodb_cpu) / window * 100,
            machine_cpu=(after.machine_busy - before.machine_busy)
            / (after.machine_total - before.machine_total)
            * 100,
            listen_drops=after.listen_drops - before.listen_drops,
            warnings=sum(" WARNING " in line or " ERROR " in line for line in log),
            store_seconds=store_seconds,
            first_polls_seconds=first_polls,
        )
    finally:
        if servers is not None:
            await servers.stop()
        if mongodb is not None:
            mongodb.terminate()
            mongodb.wait(30)
        await spotify.stop()


def markdown(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table with its columns padded, as the issue shows it."""
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.rjust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (width + 2) for width in widths) + "|"
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def accounts_cell(size: Size) -> str:
    rate = "" if size.hz == 1 else f" (displays at {size.hz:g} Hz)"
    return f"{size.accounts:,}{rate}"


def servers_cell(size: Size) -> str:
    return "1" if size.servers == 1 else f"{size.servers} (MongoDB)"


def scale_table(rows: list[Row]) -> str:
    return markdown(
        [
            "accounts",
            "servers",
            "/get req/s",
            "CPU",
            "RSS",
            "p50 / p99",
            "polls/min per playing account",
            "burst max/mean",
            "timeouts /get, Spotify",
        ],
        [
            [
                accounts_cell(row.size),
                servers_cell(row.size),
                f"{row.displays.rate:,.0f}",
                f"{row.server_cpu:.1f} %",
                f"{row.rss_mib:.0f} MiB",
                f"{row.displays.percentile(0.5):.1f} / {row.displays.percentile(0.99):.1f} ms",
                f"{row.polls_per_playing:.1f}",
                f"{row.burst_max} / {row.burst_mean:.1f}",
                f"{row.displays.timeouts}, {row.spotify_timeouts}",
            ]
            for row in rows
        ],
    )


def load_table(rows: list[Row]) -> str:
    return markdown(
        [
            "accounts",
            "servers",
            "displays",
            "asked / offered req/s",
            "skipped ticks",
            "displays' CPU, lag p99",
            "bench CPU",
            "HAProxy, MongoDB CPU",
            "machine busy, rest",
            "listen drops",
            "stale answers",
            "errors",
            "other Spotify calls",
            "store written",
            "all polled after",
        ],
        [
            [
                f"{row.size.accounts:,}",
                servers_cell(row.size),
                f"{2 * row.size.accounts:,} at {row.size.hz:g} Hz",
                f"{row.displays.rate:,.0f} / {2 * row.size.accounts * row.size.hz:,.0f}",
                f"{row.displays.skipped}",
                (
                    f"{row.displays.cpu_seconds / row.window * 100:.1f} %, "
                    f"{row.displays.lag_p99_ms:.1f} ms"
                ),
                f"{row.bench_cpu:.1f} %",
                f"{row.balancer_cpu:.1f} %, {row.mongodb_cpu:.1f} %",
                f"{row.machine_cpu:.0f} %, {row.others_cpu:.0f} %",
                f"{row.listen_drops}",
                f"{row.displays.stale}",
                (
                    f"{row.displays.refused} HTTP, {row.displays.socket_errors} socket, "
                    f"{row.warnings} logged"
                ),
                ", ".join(f"{count} {kind}" for kind, count in sorted(row.other_calls.items()))
                or "none",
                f"{row.store_seconds:.1f} s",
                "not in time"
                if row.first_polls_seconds is None
                else f"{row.first_polls_seconds:.1f} s",
            ]
            for row in rows
        ],
    )


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", help="counts, each optionally @hz (default 10,100,1000,3000)")
    parser.add_argument("--warm-up", type=float, help="seconds of load before measuring (30)")
    parser.add_argument("--seconds", type=float, help="seconds measured (60)")
    parser.add_argument("--quick", action="store_true", help="10 and 100 accounts, 5 s + 10 s")
    parser.add_argument("--timeout", type=float, default=5.0, help="a display's /get timeout, s")
    parser.add_argument("--keep-alive", action="store_true", help="displays keep connections")
    parser.add_argument(
        "--display-processes", type=int, default=1, help="processes the displays run in"
    )
    parser.add_argument(
        "--processes",
        default="1",
        help="server processes, e.g. 1,3 for a row of each; above 1 they share a MongoDB store "
        "(nx-27017) behind HAProxy (default 1)",
    )
    parser.add_argument(
        "--kill-one-after",
        type=float,
        help="SIGKILL one server this many seconds into the measured window",
    )
    args = parser.parse_args()
    sizes = [
        replace(size, servers=servers)
        for size in parse_sizes(args.accounts or ("10,100" if args.quick else "10,100,1000,3000"))
        for servers in parse_processes(args.processes)
    ]
    if args.kill_one_after is not None and any(size.servers == 1 for size in sizes):
        raise SystemExit("--kill-one-after needs --processes above 1: a server to take over")
    if args.warm_up is None:
        args.warm_up = 5.0 if args.quick else 30.0
    if args.seconds is None:
        args.seconds = 10.0 if args.quick else 60.0
    rows = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="spotify-lcd-scale-") as work:
            rows.append(await measure(size, args, Path(work)))
    connections = "kept-alive connections" if args.keep_alive else "a new connection per request"
    killed = (
        f"; one server SIGKILLed {args.kill_one_after:g} s into the window"
        if args.kill_one_after is not None
        else ""
    )
    print(
        "\n`spotify-lcd serve` on a file store, or several on nx-27017 behind HAProxy; "
        "2 displays per account (v1 + v2), "
        f"70/20/10 % playing/paused/idle, {connections}; "
        f"{args.warm_up:g} s warm-up, {args.seconds:g} s measured{killed}\n"
    )
    print(scale_table(rows))
    print()
    print(load_table(rows))


if __name__ == "__main__":
    asyncio.run(main())
