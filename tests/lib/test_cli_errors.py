"""How the installed `spotify-lcd` fails: exit 2, one line saying what to do, nothing lost.

Every test runs the console script as a user does and checks its whole stderr: log records,
then exactly one `error:` line, and never a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import aiohttp
import pytest

from spotifylcd.account import Account
from spotifylcd.store import FileTokenStore
from tests.fake_spotify import CLIENT_ID, CLIENT_SECRET
from tests.loopback import free_port, wait_healthy

SPOTIFY_LCD = str(Path(sys.executable).with_name("spotify-lcd"))
LOG_RECORD = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING) ")
NOT_RUN_AS_ROOT = pytest.mark.skipif(
    os.geteuid() == 0, reason="root reads and writes whatever the permissions say"
)


async def failure(*args: str, env: dict[str, str] | None = None) -> str:
    """Run the command, expecting exit 2 and a clean one-line error; return that line."""
    process = await asyncio.create_subprocess_exec(
        SPOTIFY_LCD,
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )
    stderr = await stderr_at_exit(process)
    return clean_error(process.returncode, stderr)


async def stderr_at_exit(process: asyncio.subprocess.Process, stdin: bytes = b"") -> str:
    """Its stderr once it exits; one that runs on (a server that started anyway) fails."""
    try:
        async with asyncio.timeout(60):
            _, err = await process.communicate(stdin)
    except TimeoutError:
        process.kill()
        await process.wait()
        pytest.fail("spotify-lcd kept running instead of failing")
    return err.decode()


def clean_error(code: int | None, stderr: str) -> str:
    """The error line of a failed run, after checking everything else about its stderr."""
    assert code == 2, stderr
    assert "Traceback" not in stderr
    *logged, error = stderr.rstrip("\n").split("\n")
    assert all(LOG_RECORD.match(line) for line in logged), stderr
    return error


def unreachable_spotify() -> dict[str, str]:
    """Environment pointing both Spotify services at a closed port on this machine."""
    closed = f"http://localhost:{free_port()}"
    return {"SPOTIFY_LCD_ACCOUNTS_URL": closed, "SPOTIFY_LCD_API_URL": f"{closed}/v1"}


def files_under(root: Path) -> dict[str, bytes]:
    """Every file below `root` with its content, to show a failed command changed nothing."""
    return {
        str(path.relative_to(root)): path.read_bytes() for path in root.rglob("*") if path.is_file()
    }


@contextlib.contextmanager
def permissions(path: Path, mode: int) -> Iterator[None]:
    """Give `path` these permission bits for a while, then its own back."""
    own = path.stat().st_mode
    path.chmod(mode)
    try:
        yield
    finally:
        path.chmod(own)


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port on 127.0.0.1 another program listens on for the whole test."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


async def test_serve_on_a_port_in_use(busy_port: int, tmp_path: Path) -> None:
    error = await failure("serve", "--port", str(busy_port), "--store", str(tmp_path))
    assert error == (
        f"spotify-lcd: error: cannot listen on 127.0.0.1 port {busy_port}: the port is in use; "
        "choose a free --port and a --host that is an address of this machine"
    )


async def test_serve_with_the_admin_port_in_use(busy_port: int, tmp_path: Path) -> None:
    admin = ("--admin-port", str(busy_port), "--admin-trust", "127.0.0.1")
    error = await failure("serve", "--port", str(free_port()), "--store", str(tmp_path), *admin)
    assert error.startswith(f"spotify-lcd: error: cannot listen on 127.0.0.1 port {busy_port}: ")
    assert "choose a free --admin-port" in error


async def test_serve_on_a_host_name_that_does_not_resolve(tmp_path: Path) -> None:
    port = free_port()
    error = await failure(
        "serve", "--host", "nosuch.invalid", "--port", str(port), "--store", str(tmp_path)
    )
    assert error.startswith(f"spotify-lcd: error: cannot listen on nosuch.invalid port {port}: ")
    assert error.endswith("; choose a free --port and a --host that is an address of this machine")


@pytest.mark.parametrize(
    ("option", "value"),
    [("--port", "99999"), ("--port", "0"), ("--port", "-1"), ("--admin-port", "65536")],
)
async def test_serve_refuses_a_port_number_out_of_range(option: str, value: str) -> None:
    error = await failure("serve", option, value)
    assert error == (
        f"spotify-lcd serve: error: argument {option}: '{value}' is not a port number "
        "from 1 to 65535; see spotify-lcd serve --help"
    )


async def test_preview_into_a_missing_directory(tmp_path: Path) -> None:
    out = tmp_path / "missing" / "lcd.png"
    error = await failure("preview", "--format", "png", "--out", str(out))
    assert error == (
        f"spotify-lcd: error: cannot write {out}: No such file or directory; "
        "give --out a writable path"
    )


async def test_preview_onto_a_directory(tmp_path: Path) -> None:
    error = await failure("preview", "--format", "png", "--out", str(tmp_path))
    assert error == (
        f"spotify-lcd: error: cannot write {tmp_path}: Is a directory; give --out a writable path"
    )


@NOT_RUN_AS_ROOT
async def test_preview_into_a_read_only_directory(tmp_path: Path) -> None:
    with permissions(tmp_path, 0o500):
        error = await failure("preview", "--format", "png", "--out", str(tmp_path / "lcd.png"))
    assert error.endswith("lcd.png: Permission denied; give --out a writable path")


async def test_link_a_refresh_token_while_spotify_is_unreachable(tmp_path: Path) -> None:
    store = tmp_path / "data"
    error = await failure(
        "link",
        "--uid",
        "y",
        "--client-id",
        "a",
        "--client-secret",
        "b",
        "--refresh-token",
        "r",
        "--store",
        str(store),
        env=unreachable_spotify(),
    )
    assert error.startswith("spotify-lcd: error: cannot reach Spotify: Cannot connect to host")
    assert error.endswith("; check this machine's network connection, then try again")
    assert not store.exists()


async def test_paste_flow_while_spotify_is_unreachable(tmp_path: Path) -> None:
    env = unreachable_spotify()
    process = await asyncio.create_subprocess_exec(
        SPOTIFY_LCD,
        "link",
        "--uid",
        "study",
        "--client-id",
        CLIENT_ID,
        "--client-secret",
        CLIENT_SECRET,
        "--store",
        str(tmp_path / "data"),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **env},
    )
    assert process.stdout is not None
    state = ""
    async with asyncio.timeout(20):
        while not state:
            line = (await process.stdout.readline()).decode().strip()
            if line.startswith(env["SPOTIFY_LCD_ACCOUNTS_URL"]):
                state = parse_qs(urlparse(line).query)["state"][0]
    redirect = f"http://127.0.0.1:8888/callback?code=the-code&state={state}\n"
    stderr = await stderr_at_exit(process, redirect.encode())
    error = clean_error(process.returncode, stderr)
    assert error == (
        f"spotify-lcd: error: cannot reach Spotify at {env['SPOTIFY_LCD_ACCOUNTS_URL']}/api/token "
        "(ConnectionError); check this machine's network connection, then try again"
    )
    assert not (tmp_path / "data").exists()


STORE_ADVICE = "give --store a directory this user may read and write, or a mongodb:// URI"


async def test_serve_refuses_a_store_that_is_a_file(tmp_path: Path) -> None:
    not_a_directory = tmp_path / "accounts.json"
    not_a_directory.write_bytes(b'{"format": 1, "accounts": {}}')
    error = await failure("serve", "--port", str(free_port()), "--store", str(not_a_directory))
    assert error == (
        f"spotify-lcd: error: cannot use the account store: {not_a_directory}/accounts: "
        f"Not a directory; {STORE_ADVICE}"
    )
    assert files_under(tmp_path) == {"accounts.json": b'{"format": 1, "accounts": {}}'}


@pytest.mark.parametrize(
    "content", [b"{not json", b'{"format": 99, "accounts": {}}', b'{"format": 1, "accounts": []}']
)
async def test_serve_refuses_a_corrupt_account_file(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "accounts.json").write_bytes(content)
    error = await failure("serve", "--demo", "--port", str(free_port()), "--store", str(tmp_path))
    assert error.startswith(f"spotify-lcd: error: {tmp_path}/accounts.json ")
    assert error.endswith("; it was left untouched; repair it or restore it from a backup")
    assert files_under(tmp_path) == {"accounts.json": content}


@NOT_RUN_AS_ROOT
async def test_serve_refuses_an_unreadable_account_file(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "data")
    await store.put(Account(uid="kitchen", device_key="k"))
    record = store.record_path("kitchen")
    before = files_under(store.data_dir)
    with permissions(record, 0o000):
        error = await failure("serve", "--port", str(free_port()), "--store", str(store.data_dir))
    assert error == (
        f"spotify-lcd: error: cannot use the account store: {record}: Permission denied; "
        f"{STORE_ADVICE}"
    )
    assert files_under(store.data_dir) == before


async def test_serve_waits_for_an_unreachable_mongodb(tmp_path: Path) -> None:
    # Unlike an unreadable store, a store server that is down may come back: keep serving.
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        SPOTIFY_LCD,
        "serve",
        "--demo",
        "--port",
        str(port),
        "--store",
        f"mongodb://localhost:{free_port()}",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        cwd=tmp_path,
    )
    url = f"http://localhost:{port}"
    try:
        await wait_healthy(url)
        async with aiohttp.ClientSession() as session, session.get(f"{url}/healthz") as response:
            health = await response.json()
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = await process.communicate()
    assert (health["store"], health["accounts"]) == ("unavailable", 1)
    assert process.returncode == 0, err.decode()
    assert "token store unavailable, serving known accounts: MongoDB is not available" in (
        err.decode()
    )
