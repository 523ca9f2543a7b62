"""A real MongoDB-protocol server over TCP for tests: the given one, or nx-27017."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

_WAIT_FOR_PING = """
import sys, time
from pymongo import MongoClient
from pymongo.errors import PyMongoError
deadline = time.monotonic() + 30
while True:
    try:
        with MongoClient(sys.argv[1], serverSelectionTimeoutMS=10_000) as client:
            client.admin.command("ping")
            break
    except PyMongoError:
        if time.monotonic() > deadline:
            sys.exit(1)
        time.sleep(0.2)
"""


def _wait_for_mongodb(uri: str, process: subprocess.Popen[bytes] | None) -> None:
    """Wait until the server answers a ping, checked from a child process.

    The child keeps the test process free of sockets at fixture time (Home Assistant's
    harness blocks them there) and of sockets abandoned mid-handshake while the server
    starts (their ResourceWarning would surface in an unrelated test).
    """
    checked = subprocess.run([sys.executable, "-c", _WAIT_FOR_PING, uri], check=False, timeout=60)
    if checked.returncode != 0:
        if process is not None and process.poll() is not None:
            pytest.fail(f"nx-27017 exited with {process.returncode}")
        pytest.fail(f"no MongoDB server answered at {uri}")


def start_nx_27017(port: int, work: Path) -> subprocess.Popen[bytes]:
    """A MongoDB wire-protocol server (nx-27017) on loopback `port`, its data kept in `work`."""
    return subprocess.Popen(
        [
            str(Path(sys.executable).with_name("nx-27017")),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--data-dir",
            str(work / "data"),
            "--log-file",
            str(work / "nx.log"),
            "--pid-file",
            str(work / "nx.pid"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture(scope="session")
def mongodb_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real MongoDB-protocol server over TCP: $SPOTIFY_LCD_TEST_MONGODB_URI, else nx-27017."""
    uri = os.environ.get("SPOTIFY_LCD_TEST_MONGODB_URI")
    if uri:
        _wait_for_mongodb(uri, None)
        yield uri
        return
    # Asked of a child process too: HA's harness forbids sockets in this one at setup time.
    port = int(
        subprocess.check_output(
            [sys.executable, "-c", "from tests.loopback import free_port; print(free_port())"],
            cwd=Path(__file__).resolve().parent.parent,
        )
    )
    process = start_nx_27017(port, tmp_path_factory.mktemp("nx27017"))
    uri = f"mongodb://localhost:{port}"
    try:
        _wait_for_mongodb(uri, process)
        yield uri
    finally:
        process.terminate()
        process.wait(timeout=10)
