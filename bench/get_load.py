"""`/get` under concurrent load: `serve --demo` against a bare aiohttp handler, side by side.

Prints throughput, p50/p99 latency and the servers' peak RSS after 10,000 requests each, and
the ratios serve/bare. Both servers run as separate processes on loopback; the load comes
from this process. Run: .venv/bin/python bench/get_load.py [--requests N] [--concurrency C]
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
from dataclasses import dataclass
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.loopback import free_port, wait_healthy

HERE = Path(__file__).parent


@dataclass
class Result:
    requests: int
    seconds: float
    latencies: list[float]

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def load(url: str, requests: int, concurrency: int) -> Result:
    latencies: list[float] = []
    remaining = requests
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                started = time.perf_counter()
                async with session.post(f"{url}/get", data={"uid": "demo"}) as response:
                    await response.read()
                    assert response.status == 200
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return Result(requests, time.perf_counter() - started, latencies)


WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = "uid=demo"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
"""


def _wrk_millis(text: str) -> float:
    units = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    for unit in ("us", "ms", "s"):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * units[unit]
    raise ValueError(text)


def wrk_load(url: str, seconds: int, concurrency: int) -> tuple[float, float, float]:
    """(req/s, p50 ms, p99 ms) from wrk, a C load generator that is not the bottleneck."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    output = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{concurrency}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            script.name,
            f"{url}/get",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    fields = {line.split()[0]: line.split()[1] for line in output.splitlines() if line.split()}
    errors = [line for line in output.splitlines() if "Non-2xx" in line or "Socket errors" in line]
    assert not errors, errors
    return float(fields["Requests/sec:"]), _wrk_millis(fields["50%"]), _wrk_millis(fields["99%"])


def peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10, help="per wrk round")
    args = parser.parse_args()
    use_wrk = shutil.which("wrk") is not None

    serve_port, bare_port = free_port(), free_port()
    data = tempfile.mkdtemp()
    serve = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "spotifylcd",
            "--log-level",
            "WARNING",
            "serve",
            "--demo",
            "--port",
            str(serve_port),
            "--store",
            data,
        ],
    )
    serve_url = f"http://127.0.0.1:{serve_port}"
    await wait_healthy(serve_url)
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{serve_url}/get", data={"uid": "demo"}) as response,
    ):
        sample = await response.text()
    bare = subprocess.Popen([sys.executable, str(HERE / "bare_server.py"), str(bare_port), sample])
    bare_url = f"http://127.0.0.1:{bare_port}"
    await wait_healthy(bare_url)
    urls = {"serve --demo": serve_url, "bare aiohttp": bare_url}
    try:
        # First exactly --requests requests each (Python client), for peak RSS after them.
        for url in urls.values():
            await load(url, args.requests, args.concurrency)
        rss = {"serve --demo": peak_rss_kib(serve.pid), "bare aiohttp": peak_rss_kib(bare.pid)}
        results: dict[str, list[tuple[float, float, float]]] = {name: [] for name in urls}
        for _ in range(args.rounds):  # interleaved, so both see the same machine
            for name, url in urls.items():
                if use_wrk:
                    results[name].append(wrk_load(url, args.seconds, args.concurrency))
                else:
                    run = await load(url, args.requests, args.concurrency)
                    results[name].append(
                        (run.throughput, run.percentile(0.5) * 1000, run.percentile(0.99) * 1000)
                    )
    finally:
        for process in (serve, bare):
            process.terminate()
            process.wait()

    tool = f"wrk, {args.seconds} s" if use_wrk else f"Python client, {args.requests} requests"
    print(
        f"{args.rounds} interleaved rounds ({tool}) each, concurrency {args.concurrency}; "
        f"peak RSS after {args.requests} requests"
    )
    print(f"{'server':<14}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'peak RSS MiB':>15}")
    summary = {}
    for name, runs in results.items():
        throughput = statistics.median(run[0] for run in runs)
        p50 = statistics.median(run[1] for run in runs)
        p99 = statistics.median(run[2] for run in runs)
        summary[name] = (throughput, p50, p99, rss[name] / 1024)
        print(f"{name:<14}{throughput:>10.0f}{p50:>10.2f}{p99:>10.2f}{rss[name] / 1024:>15.1f}")
    ours, base = summary["serve --demo"], summary["bare aiohttp"]
    print(
        f"ratio serve/bare: throughput {ours[0] / base[0]:.2f}, p50 {ours[1] / base[1]:.2f}, "
        f"p99 {ours[2] / base[2]:.2f}, peak RSS {ours[3] / base[3]:.2f}"
    )


if __name__ == "__main__":
    asyncio.run(main())
