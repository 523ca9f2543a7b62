"""Run the reliability suite against real processes on loopback and print its figures.

    .venv/bin/python -m bench.reliability [fuzz|faults|crash|soak ...] [--full]

Without names every check runs, sized for CI (about 4 minutes); --full runs the sizes of
the issue's campaign (about 15 minutes). Exits 1 when a check breaks its contract.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
import tempfile
import time

from . import crash, faults, fuzz, soak

CHECKS = ("fuzz", "faults", "crash", "soak")


async def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reliability")
    parser.add_argument("checks", nargs="*", metavar="check", help=f"any of {', '.join(CHECKS)}")
    parser.add_argument("--full", action="store_true", help="the full sizes (about 15 minutes)")
    parser.add_argument("--fuzz-requests", type=int, help="default 10,000 (--full: 50,000)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    unknown = sorted(set(args.checks) - set(CHECKS))
    if unknown:
        parser.error(f"no check called {', '.join(unknown)}; choose from {', '.join(CHECKS)}")
    # Stopped (SIGTERM, Ctrl-C): cancel, so every server and MongoDB started is stopped too.
    run = asyncio.current_task()
    assert run is not None
    for signum in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signum, run.cancel)
    with tempfile.TemporaryDirectory(prefix="spotify-lcd-reliability-") as scratch:
        # Every store, server log and MongoDB data directory of the run goes, and goes away.
        tempfile.tempdir = scratch
        return await _run(args.checks or list(CHECKS), args)


async def _run(checks: list[str], args: argparse.Namespace) -> int:
    results = {}
    for name in checks:
        started = time.monotonic()
        print(f"\n== {name} ==", flush=True)
        if name == "fuzz":
            ok = await fuzz.run(requests=args.fuzz_requests or (50_000 if args.full else 10_000))
        elif name == "faults":
            ok = await faults.run(full=args.full)
        elif name == "crash":
            ok = await crash.run(kills=200 if args.full else 30)
        else:
            ok = await soak.run(seconds=180.0 if args.full else 45.0)
        results[name] = ok
        print(f"-- {name}: {'ok' if ok else 'FAILED'} ({time.monotonic() - started:.0f} s)")
    return 0 if all(results.values()) else 1


sys.exit(asyncio.run(main()))
