"""The servers under test in the scale run, and what they cost: CPU seconds, RSS, log lines.

One `spotify-lcd serve` process, or several on one MongoDB store behind HAProxy on loopback
(its CPU counted apart from the servers'), CPU and memory summed.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from tests.loopback import free_port, wait_healthy

ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS: Final = os.sysconf("SC_CLK_TCK")
# Displays open a connection per request, and so does HAProxy to a server (as one server alone
# sees it). A request a server refused or left unanswered (killed while it was under way) goes
# to another server; a server failing its health check is skipped until it answers again.
HAPROXY_CONFIG: Final = """\
global
    maxconn 8000
    nbthread 1
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    option http-server-close
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response
frontend displays
    bind 127.0.0.1:{front}
    default_backend servers
backend servers
    balance roundrobin
    option httpchk GET /healthz
{servers}
"""


def process_cpu_seconds(pid: int) -> float:
    """User and system CPU time a running process has used, all threads (proc(5))."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    # utime and stime, fields 14 and 15 of proc(5), counted after the command name.
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


@dataclass
class ServerGroup:
    """The `serve` processes, the one address displays ask, and the log they all write."""

    processes: list[subprocess.Popen[bytes]]
    url: str
    log: Path
    balancer: subprocess.Popen[bytes] | None = None
    # CPU seconds of servers killed during the run, read just before the kill.
    killed_cpu: float = 0.0

    def cpu_seconds(self) -> float:
        """User and system CPU time the servers used so far, all threads of all processes."""
        running = (process for process in self.processes if process.returncode is None)
        return sum(process_cpu_seconds(process.pid) for process in running) + self.killed_cpu

    def balancer_cpu_seconds(self) -> float:
        """What HAProxy used so far (0 with one server)."""
        return process_cpu_seconds(self.balancer.pid) if self.balancer else 0.0

    def rss_mib(self) -> float:
        """Resident memory now, summed over the processes."""
        total = 0
        for process in self.processes:
            if process.returncode is not None:
                continue
            for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        return total / 1024

    def log_size(self) -> int:
        """Where the log ends now, to read only what comes after."""
        return self.log.stat().st_size

    def log_since(self, offset: int) -> list[str]:
        """The log lines written after `offset`."""
        with self.log.open("rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace").splitlines()

    def exited(self) -> list[int]:
        """Exit codes of the processes that are no longer running."""
        return [code for process in self.processes if (code := process.poll()) is not None]

    async def stop(self) -> None:
        """SIGTERM every process and wait for it."""
        everything = [*self.processes, *([self.balancer] if self.balancer else [])]
        for process in everything:
            if process.poll() is None:
                process.terminate()
        for process in everything:
            await asyncio.to_thread(process.wait, 30)

    def kill_one(self) -> None:
        """SIGKILL the first server: no lease handed back, as in a crash."""
        before = self.cpu_seconds()
        self.processes[0].kill()
        self.processes[0].wait()
        self.killed_cpu = before - self.cpu_seconds()


async def start_servers(
    store: str, env: dict[str, str], log: Path, processes: int = 1
) -> ServerGroup:
    """`processes` servers on `store` (MongoDB when more than one), healthy."""
    ports = [free_port() for _ in range(processes)]
    with log.open("wb") as sink:
        started = [
            subprocess.Popen(
                [
                    *(sys.executable, "-m", "spotifylcd", "--log-level", "WARNING", "serve"),
                    *("--host", "localhost", "--port", str(port), "--store", store),
                ],
                env={**os.environ, **env},
                stdout=sink,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
            )
            for port in ports
        ]
    group = ServerGroup(started, f"http://localhost:{ports[0]}", log)
    try:
        for port in ports:
            await wait_healthy(f"http://localhost:{port}", timeout=120)
        if processes > 1:
            front = free_port()
            group.balancer = start_haproxy(front, ports, log.with_name("haproxy.cfg"))
            group.url = f"http://localhost:{front}"
            await wait_healthy(group.url, timeout=30)
    except TimeoutError:
        await group.stop()
        raise SystemExit(f"spotify-lcd serve did not answer /healthz; see {log}") from None
    return group


def start_haproxy(front: int, ports: list[int], config: Path) -> subprocess.Popen[bytes]:
    """HAProxy on `front`, round robin over the servers on `ports`."""
    haproxy = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin")
    if haproxy is None:
        raise SystemExit("bench/scale.py --processes needs HAProxy: apt-get install haproxy")
    servers = "\n".join(
        f"    server s{index} 127.0.0.1:{port} check inter 1s fall 2 rise 1"
        for index, port in enumerate(ports)
    )
    config.write_text(HAPROXY_CONFIG.format(front=front, servers=servers))
    return subprocess.Popen([haproxy, "-db", "-f", str(config)])
