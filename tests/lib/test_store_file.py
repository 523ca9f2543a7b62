"""The embedded file store: owner-only, atomic, shared safely with other processes."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from spotifylcd.account import Account
from spotifylcd.exceptions import StoreCorruptError, StoreError, StoreUnavailableError
from spotifylcd.store import FileTokenStore


async def test_file_and_directory_are_owner_only(
    file_store: FileTokenStore, linked_account: Account
) -> None:
    await file_store.put(linked_account)
    assert stat.S_IMODE(file_store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(file_store.data_dir.stat().st_mode) == 0o700


async def test_no_file_means_no_accounts(file_store: FileTokenStore) -> None:
    assert await file_store.list_accounts() == []
    assert not file_store.data_dir.exists()


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"[]",
        b'{"format": 99, "accounts": {}}',
        b'{"format": 1}',
        b'{"format": 1, "accounts": {"a": {"nope": 1}}}',
    ],
)
async def test_corrupt_file_is_refused_and_left_untouched(
    file_store: FileTokenStore, linked_account: Account, content: bytes
) -> None:
    file_store.data_dir.mkdir(parents=True)
    file_store.path.write_bytes(content)
    with pytest.raises(StoreCorruptError):
        await file_store.list_accounts()
    with pytest.raises(StoreCorruptError):
        await file_store.put(linked_account)
    assert file_store.path.read_bytes() == content


async def test_failed_write_keeps_the_previous_file(
    file_store: FileTokenStore, linked_account: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    await file_store.put(linked_account)
    before = file_store.path.read_bytes()

    def disk_full(_fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(StoreError, match="No space left") as raised:
        await file_store.put(linked_account.with_changes(access_token="new"))
    monkeypatch.undo()
    # Only a store server can be away for a while; a local file's error is for a human to fix.
    assert not isinstance(raised.value, StoreUnavailableError)
    assert file_store.path.read_bytes() == before
    assert sorted(p.name for p in file_store.data_dir.iterdir()) == [
        ".accounts.json.lock",
        "accounts.json",
    ]


WRITER = textwrap.dedent(
    """
    import asyncio, sys
    from spotifylcd.account import Account
    from spotifylcd.store import FileTokenStore

    async def main() -> None:
        store = FileTokenStore(sys.argv[1])
        n = 0
        while True:
            n += 1
            await store.put(Account(uid=sys.argv[2] + str(n % 50), access_token="x" * 5000))
            if n == 5:
                print("writing", flush=True)

    asyncio.run(main())
    """
)


def _start_writer(data_dir: Path, prefix: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(data_dir), prefix], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "writing\n"
    return process


def _reap(process: subprocess.Popen[str]) -> None:
    process.wait()
    assert process.stdout is not None
    process.stdout.close()


async def test_killed_writer_leaves_a_complete_file(tmp_path: Path) -> None:
    process = _start_writer(tmp_path, "a")
    await asyncio.sleep(0.3)
    process.send_signal(signal.SIGKILL)
    _reap(process)
    accounts = await FileTokenStore(tmp_path).list_accounts()
    assert len(accounts) >= 5
    assert json.loads((tmp_path / "accounts.json").read_text())["format"] == 1


async def test_two_processes_writing_lose_no_account(tmp_path: Path) -> None:
    writers = [_start_writer(tmp_path, prefix) for prefix in ("a", "b")]
    await asyncio.sleep(0.5)
    for process in writers:
        process.terminate()
        _reap(process)
    uids = {account.uid for account in await FileTokenStore(tmp_path).list_accounts()}
    # Each writer cycles through 50 uids; a lost update would drop the other's accounts.
    assert {uid[0] for uid in uids} == {"a", "b"}
    assert sum(uid.startswith("a") for uid in uids) >= 5
    assert sum(uid.startswith("b") for uid in uids) >= 5
