"""`/get` v1 and v2 under load, idle memory and `--help` time: ours against bare baselines.

Side by side in one run, rounds interleaved so both see the same machine:
- `spotify-lcd serve --demo` against a bare aiohttp handler returning the same bytes
  (`bench/bare_server.py`), with wrk at concurrency 1 and 200, for `v=1` and `v=2`:
  req/s ÷ bare and p50 ÷ bare, min/median/max over the rounds. Two baselines: the handler on
  asyncio's own event loop (aiohttp's default, the issue's baseline) and on uvloop, the loop
  `serve` runs on (what our handler costs over a bare one on the same loop);
- the RSS of each server idle after start, and after the load;
- `spotify-lcd --help` wall time against `python -c pass`.
Run: .venv/bin/python bench/get_load.py [--rounds 3] [--seconds 5]
Needs wrk (`apt-get install wrk`), a C load generator that is not the bottleneck.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scale_servers import process_cpu_seconds
from tests.loopback import free_port, wait_healthy

HERE = Path(__file__).parent
BODIES = {"v1": "uid=demo", "v2": "uid=demo&v=2"}
CONCURRENCIES = (1, 200)
# bare_server.py's flags per baseline; the issue's goals are against the first.
BASELINES = {"bare": (), "bare on uvloop": ("--uvloop",)}
ISSUE_BASELINE = "bare"
IDLE_SECONDS = 3.0
WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = "{body}"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
"""


def _wrk_millis(text: str) -> float:
    units = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    for unit in ("us", "ms", "s"):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * units[unit]
    raise ValueError(text)


def wrk_load(
    url: str, body: str, seconds: int, concurrency: int, pid: int
) -> tuple[float, float, float]:
    """(req/s, p50 ms, server CPU µs per request) from wrk; a non-2xx answer stops the bench."""
    cpu_before = process_cpu_seconds(pid)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT.format(body=body))
    output = subprocess.run(
        ["wrk", "-t1", f"-c{concurrency}", f"-d{seconds}s", "--latency", "-s", script.name, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    Path(script.name).unlink()
    cpu = process_cpu_seconds(pid) - cpu_before
    requests = next(int(line.split()[0]) for line in output.splitlines() if "requests in" in line)
    fields = {line.split()[0]: line.split()[1] for line in output.splitlines() if line.split()}
    errors = [line for line in output.splitlines() if "Non-2xx" in line or "Socket errors" in line]
    if errors:
        raise SystemExit(f"wrk against {url}: {errors}")
    return float(fields["Requests/sec:"]), _wrk_millis(fields["50%"]), cpu / requests * 1e6


def rss_mib(pid: int, field: str = "VmRSS:") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field}")


def spread(values: Sequence[float]) -> str:
    return f"{min(values):.2f}/{statistics.median(values):.2f}/{max(values):.2f}"


def wall_times(command: list[str], rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return times


async def sample(url: str, body: str) -> str:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{url}/get",
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ) as response,
    ):
        return await response.text()


def report(
    rounds: int,
    seconds: int,
    *,
    ratios: dict[tuple[str, int, str], tuple[list[float], list[float], list[float]]],
    idle: dict[str, float],
    peak: float,
    starts: tuple[list[float], list[float]],
) -> None:
    """The figures against their goals: ratios to each baseline, memory, `--help` time."""
    help_times, pass_times = starts
    print(f"\n{rounds} interleaved rounds of wrk, {seconds} s each; min/median/max")
    print(f"{'figure':<44}{'ratio':>20}{'goal':>10}")
    for (version, concurrency, baseline), (throughput, p50, cpu) in ratios.items():
        goal = baseline == ISSUE_BASELINE
        label = f"/get {version} req/s ÷ {baseline}, c={concurrency}"
        print(f"{label:<44}{spread(throughput):>20}{'≥ 0.9' if goal else '':>10}")
        print(f"{f'  {baseline} CPU/req ÷ ours, c={concurrency}':<44}{spread(cpu):>20}")
        if concurrency == 1:
            label = f"/get {version} p50 ÷ {baseline}, c=1"
            print(f"{label:<44}{spread(p50):>20}{'≤ 1.2' if goal else '':>10}")
    print(
        f"{'RSS idle MiB, serve --demo / bare':<44}"
        f"{idle['serve --demo']:>13.1f} / {idle['bare aiohttp']:.1f}{'≤ 60':>10}"
    )
    print(f"{'peak RSS MiB after the load':<44}{peak:>20.1f}")
    print(
        f"{'--help s (python -c pass)':<44}{spread(help_times):>20}{'≤ 0.3':>10}"
        f"   ({spread(pass_times)})"
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5, help="per wrk run")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench/get_load.py needs wrk: apt-get install wrk")

    help_times = wall_times([sys.executable, "-m", "spotifylcd", "--help"], args.rounds)
    pass_times = wall_times([sys.executable, "-c", "pass"], args.rounds)

    serve_port = free_port()
    serve = subprocess.Popen(
        [
            *(sys.executable, "-m", "spotifylcd", "--log-level", "WARNING", "serve", "--demo"),
            *("--port", str(serve_port), "--store", tempfile.mkdtemp()),
        ],
    )
    serve_url = f"http://127.0.0.1:{serve_port}"
    servers = [serve]
    try:
        await wait_healthy(serve_url)
        await asyncio.sleep(IDLE_SECONDS)
        idle = {"serve --demo": rss_mib(serve.pid)}
        bare_urls, bare_pids = {}, {}
        for version, body in BODIES.items():
            for baseline, flags in BASELINES.items():
                port = free_port()
                bare = subprocess.Popen(
                    [
                        *(sys.executable, str(HERE / "bare_server.py"), str(port)),
                        *(await sample(serve_url, body), *flags),
                    ]
                )
                servers.append(bare)
                bare_urls[version, baseline] = f"http://127.0.0.1:{port}"
                bare_pids[version, baseline] = bare.pid
                await wait_healthy(bare_urls[version, baseline])
        await asyncio.sleep(IDLE_SECONDS)
        idle["bare aiohttp"] = rss_mib(servers[1].pid)

        ratios: dict[tuple[str, int, str], tuple[list[float], list[float], list[float]]] = {}
        for version, body in BODIES.items():
            for concurrency in CONCURRENCIES:
                for _ in range(args.rounds):
                    ours = wrk_load(f"{serve_url}/get", body, args.seconds, concurrency, serve.pid)
                    line = (
                        f"  {version} c={concurrency}: ours {ours[0]:.0f} req/s,"
                        f" p50 {ours[1]:.3f} ms, CPU {ours[2]:.1f} µs/req"
                    )
                    for baseline in BASELINES:
                        base = wrk_load(
                            f"{bare_urls[version, baseline]}/get",
                            body,
                            args.seconds,
                            concurrency,
                            bare_pids[version, baseline],
                        )
                        throughput, p50, cpu = ratios.setdefault(
                            (version, concurrency, baseline), ([], [], [])
                        )
                        throughput.append(ours[0] / base[0])
                        p50.append(ours[1] / base[1])
                        cpu.append(base[2] / ours[2])
                        line += (
                            f"; {baseline} {base[0]:.0f} req/s, p50 {base[1]:.3f} ms,"
                            f" CPU {base[2]:.1f} µs/req"
                        )
                    print(line, flush=True)
        peak = rss_mib(serve.pid, "VmHWM:")
    finally:
        for process in servers:
            process.terminate()
            process.wait()

    starts = (help_times, pass_times)
    report(args.rounds, args.seconds, ratios=ratios, idle=idle, peak=peak, starts=starts)


if __name__ == "__main__":
    asyncio.run(main())
