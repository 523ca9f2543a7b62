"""The displays of the scale run: each asks `POST /get` on its own schedule, in child processes.

A display asks once a period at its own random phase and never has two requests out: a
tick that comes while it still waits is skipped, as ESPHome's polling components do. Each
request opens its own connection (`Connection: close`), as the ESPHome firmware and the old
sketch do, so the latency counted runs from the connect to the answer's last byte, as the
display sees it: a connect the server's listen queue dropped costs the display the kernel's
1 s SYN retry. A request unanswered after the display's timeout is aborted and counted.

The displays run in their own processes (`python -m bench.scale_displays`), with bare
asyncio protocols rather than an HTTP client library, so they cost a fraction of a core
while the server and the bench's Spotify have the rest. Each process reports its CPU time
and how late its timers fired (`lag`): a saturated generator shows there, not as a slow
server. Every process shares the machine's monotonic clock with the parent, which chooses
the measured window.

An answer counts as `stale` when the display would show something not live: v2 `stale`,
`starting` or `offline`, v1 `api_response` 503 or 429.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
STALE_MARKS: Final = (
    b'"stale":true',
    b'"state":"starting"',
    b'"state":"offline"',
    b'"api_response":503',
    b'"api_response":429',
)
HTTP_ERROR: Final = 400


@dataclass(frozen=True, slots=True)
class DisplayLoad:
    """What the displays saw in the measured window, over every generator process."""

    # Requests started in the window, and its length.
    requests: int
    seconds: float
    # Latencies of the answered ones, sorted, in milliseconds.
    latencies: list[float]
    # Requests the display gave up on after its timeout (not in the latencies).
    timeouts: int
    stale: int
    # HTTP status 400 and above, and connections refused or reset.
    refused: int
    socket_errors: int
    # Ticks skipped because the display still waited for the previous answer.
    skipped: int
    # The generator's own CPU time over the window, and its timers' 99th-percentile lateness.
    cpu_seconds: float
    lag_p99_ms: float

    @property
    def rate(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds

    def percentile(self, fraction: float) -> float:
        """The latency below which `fraction` of the answers came, in milliseconds."""
        if not self.latencies:
            return float("nan")
        return self.latencies[min(len(self.latencies) - 1, int(fraction * len(self.latencies)))]


async def run_displays(
    url: str,
    bodies: list[str],
    *,
    hz: float,
    start: float,
    end: float,
    display_timeout: float,
    keep_alive: bool,
    processes: int,
) -> DisplayLoad:
    """Displays asking `url` with `bodies` from now until `end`, measured from `start` on.

    `start` and `end` are `time.monotonic()` instants; the displays start at once, so the
    time before `start` is their warm-up.
    """
    children = []
    for part in range(processes):
        command = [
            *(sys.executable, "-m", "bench.scale_displays", url),
            *("--hz", str(hz), "--start", str(start), "--end", str(end)),
            *("--timeout", str(display_timeout)),
            *(["--keep-alive"] if keep_alive else []),
        ]
        child = await asyncio.create_subprocess_exec(
            *command,
            cwd=ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        children.append((child, "\n".join(bodies[part::processes]).encode()))
    outputs = await asyncio.gather(*(child.communicate(mine) for child, mine in children))
    reports = []
    for (child, _), (out, _) in zip(children, outputs, strict=True):
        if child.returncode != 0:
            raise SystemExit(f"a display process failed with exit code {child.returncode}")
        reports.append(json.loads(out))
    return DisplayLoad(
        requests=sum(report["requests"] for report in reports),
        seconds=end - start,
        latencies=sorted(value for report in reports for value in report["latencies"]),
        timeouts=sum(report["timeouts"] for report in reports),
        stale=sum(report["stale"] for report in reports),
        refused=sum(report["refused"] for report in reports),
        socket_errors=sum(report["socket_errors"] for report in reports),
        skipped=sum(report["skipped"] for report in reports),
        cpu_seconds=sum(report["cpu_seconds"] for report in reports),
        lag_p99_ms=max(report["lag_p99_ms"] for report in reports),
    )


class _Exchange(asyncio.Protocol):
    """One request on one connection: sends it, and resolves with the raw answer."""

    def __init__(self, request: bytes, answer: asyncio.Future[bytes], *, keep_alive: bool) -> None:
        self.request = request
        self.answer = answer
        self.keep_alive = keep_alive
        self.received = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        self.received += data
        if self.keep_alive and _complete(self.received):
            self._resolve()

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        if exc is not None and not self.answer.done():
            self.answer.set_exception(exc)
        self._resolve()

    def ask(self, request: bytes, answer: asyncio.Future[bytes]) -> None:
        """The next request on the same (kept-alive) connection."""
        assert self.transport is not None
        self.received.clear()
        self.answer = answer
        self.transport.write(request)

    def _resolve(self) -> None:
        if not self.answer.done():
            self.answer.set_result(bytes(self.received))


def _complete(received: bytearray) -> bool:
    """Whether a kept-alive answer has all of its Content-Length bytes."""
    head_end = received.find(b"\r\n\r\n")
    if head_end < 0:
        return False
    for line in bytes(received[:head_end]).split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(received) - head_end - 4 >= int(value)
    return False


@dataclass
class _Tally:
    """Counts of one process's requests started in the window."""

    start: float
    end: float
    requests: int = 0
    timeouts: int = 0
    stale: int = 0
    refused: int = 0
    socket_errors: int = 0
    skipped: int = 0
    latencies: list[float] = field(default_factory=list)
    lags: list[float] = field(default_factory=list)

    def counts(self, at: float) -> bool:
        return self.start <= at < self.end


class _Display:
    """One display's loop: ask at every tick of its phase, until the window ends."""

    def __init__(
        self, host: str, address: tuple[str, int], body: str, args: argparse.Namespace
    ) -> None:
        head = (
            f"POST /get HTTP/1.1\r\nHost: {host}:{address[1]}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body.encode())}\r\n"
        )
        if not args.keep_alive:
            head += "Connection: close\r\n"
        self.request = f"{head}\r\n{body}".encode()
        # Resolved once: a name would be looked up again, in a thread, for every connection.
        self.address = address
        self.period = 1 / args.hz
        self.timeout = args.timeout
        self.keep_alive = args.keep_alive
        self.exchange: _Exchange | None = None

    async def run(self, tally: _Tally) -> None:
        loop = asyncio.get_running_loop()
        due = loop.time() + random.random() * self.period
        while due < tally.end:
            await asyncio.sleep(max(0.0, due - loop.time()))
            started = loop.time()
            counted = tally.counts(due)
            if counted:
                tally.lags.append(started - due)
                tally.requests += 1
            outcome = await self._ask()
            finished = loop.time()
            due += self.period
            missed = math.ceil((finished - due) / self.period) if finished > due else 0
            due += missed * self.period
            if counted:
                self._count(outcome, finished - started, tally)
                tally.skipped += missed
        if self.exchange is not None and self.exchange.transport is not None:
            self.exchange.transport.close()

    async def _ask(self) -> bytes | Exception:
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[bytes] = loop.create_future()
        exchange = self.exchange
        try:
            async with asyncio.timeout(self.timeout):
                if exchange is None or exchange.transport is None:
                    _, exchange = await loop.create_connection(
                        lambda: _Exchange(self.request, answer, keep_alive=self.keep_alive),
                        *self.address,
                    )
                else:
                    exchange.ask(self.request, answer)
                received = await answer
        except (OSError, TimeoutError) as err:
            if exchange is not None and exchange.transport is not None:
                exchange.transport.abort()
            self.exchange = None
            return err
        self.exchange = exchange if self.keep_alive else None
        return received

    @staticmethod
    def _count(outcome: bytes | Exception, seconds: float, tally: _Tally) -> None:
        if isinstance(outcome, TimeoutError):
            tally.timeouts += 1
            return
        if isinstance(outcome, Exception) or not outcome.startswith(b"HTTP/1.1 "):
            tally.socket_errors += 1
            return
        tally.latencies.append(seconds * 1000)
        if int(outcome[9:12]) >= HTTP_ERROR:
            tally.refused += 1
        elif any(mark in outcome for mark in STALE_MARKS):
            tally.stale += 1


async def _generate(args: argparse.Namespace) -> None:
    """The child process: every display of stdin's bodies, then one JSON report on stdout."""
    url = urlsplit(args.url)
    host = url.hostname or "localhost"
    resolved = await asyncio.get_running_loop().getaddrinfo(
        host, url.port or 80, type=socket.SOCK_STREAM
    )
    address = (str(resolved[0][4][0]), int(resolved[0][4][1]))
    bodies = [line for line in sys.stdin.read().splitlines() if line]
    tally = _Tally(args.start, args.end)
    displays = [_Display(host, address, body, args) for body in bodies]
    tasks = [asyncio.create_task(display.run(tally)) for display in displays]
    await asyncio.sleep(max(0.0, args.start - time.monotonic()))
    cpu_start = time.process_time()
    await asyncio.sleep(max(0.0, args.end - time.monotonic()))
    cpu_seconds = time.process_time() - cpu_start
    await asyncio.gather(*tasks)
    lags = sorted(tally.lags)
    report = {
        "requests": tally.requests,
        "latencies": [round(value, 3) for value in tally.latencies],
        "timeouts": tally.timeouts,
        "stale": tally.stale,
        "refused": tally.refused,
        "socket_errors": tally.socket_errors,
        "skipped": tally.skipped,
        "cpu_seconds": cpu_seconds,
        "lag_p99_ms": 1000 * lags[int(0.99 * len(lags))] if lags else 0.0,
    }
    sys.stdout.write(json.dumps(report))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.scale_displays")
    parser.add_argument("url")
    parser.add_argument("--hz", type=float, required=True)
    parser.add_argument("--start", type=float, required=True, help="time.monotonic() instant")
    parser.add_argument("--end", type=float, required=True, help="time.monotonic() instant")
    parser.add_argument("--timeout", type=float, required=True)
    parser.add_argument("--keep-alive", action="store_true")
    asyncio.run(_generate(parser.parse_args()))
