"""A writer killed mid-write leaves no copy of the secrets behind (defect 6 of issue 14)."""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import signal
import stat
import sys
from pathlib import Path

import pytest

from spotifylcd.account import Account
from spotifylcd.store import FileTokenStore
from spotifylcd.store.file import LOCK_NAME, TEMP_NAME

# Earlier versions' copies of `accounts.json`: the fixed name, and the random names before it.
LEGACY_LEFTOVERS = (".accounts.json.tmp", ".accounts.json.k2x9_q0a")
SECRETS = '{"format": 1, "account": {"uid": "x", "client_secret": "s3cret"'


def plant_leftovers(store: FileTokenStore) -> None:
    (store.accounts_dir / TEMP_NAME).write_text(SECRETS)
    for name in LEGACY_LEFTOVERS:
        (store.data_dir / name).write_text(SECRETS)


def names_in(directory: Path) -> set[str]:
    return {path.name for path in directory.iterdir()}


async def test_opening_removes_what_a_killed_writer_left(
    file_store: FileTokenStore, linked_account: Account
) -> None:
    await file_store.put(linked_account)
    plant_leftovers(file_store)
    fresh = FileTokenStore(file_store.data_dir)  # a server starting after the crash
    assert [account.uid for account in await fresh.list_accounts()] == ["livingroom"]
    assert names_in(file_store.data_dir) == {"accounts"}
    assert names_in(file_store.accounts_dir) == {
        LOCK_NAME,
        file_store.record_path("livingroom").name,
    }


async def test_writing_removes_what_a_killed_writer_left(
    file_store: FileTokenStore, linked_account: Account
) -> None:
    await file_store.put(linked_account)
    (file_store.accounts_dir / TEMP_NAME).write_text(SECRETS)
    await file_store.put(linked_account.with_changes(uid="kitchen"))
    assert TEMP_NAME not in names_in(file_store.accounts_dir)
    assert len(await file_store.list_accounts()) == 2


async def test_opening_leaves_alone_what_a_live_writer_is_writing(
    file_store: FileTokenStore, linked_account: Account
) -> None:
    await file_store.put(linked_account)
    # Another process holds the lock and is writing its copy.
    lock = os.open(file_store.accounts_dir / LOCK_NAME, os.O_RDWR)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        (file_store.accounts_dir / TEMP_NAME).write_text(SECRETS)
        opening = asyncio.create_task(FileTokenStore(file_store.data_dir).list_accounts())
        await asyncio.sleep(0.2)
        assert not opening.done()
        assert (file_store.accounts_dir / TEMP_NAME).read_text() == SECRETS
        (file_store.accounts_dir / TEMP_NAME).unlink()  # the writer renames it into place
    finally:
        os.close(lock)
    assert [account.uid for account in await opening] == ["livingroom"]


ROTATE_FOREVER = """
import asyncio, sys
from spotifylcd.store import FileTokenStore

async def main() -> None:
    store = FileTokenStore(sys.argv[1])
    account = await store.get("livingroom")
    print("writing", flush=True)
    n = 0
    while True:
        n += 1
        account = await store.save_if_unchanged(
            account.with_changes(access_token=f"access-{n}", refresh_token=f"refresh-{n}")
        )

asyncio.run(main())
"""


@pytest.mark.parametrize("kill_after", [0.0, 0.003, 0.01, 0.02, 0.05])
async def test_kill_9_while_rotating_tokens(
    file_store: FileTokenStore, linked_account: Account, kill_after: float
) -> None:
    await file_store.put(linked_account)
    record = file_store.record_path("livingroom")
    writer = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        ROTATE_FOREVER,
        str(file_store.data_dir),
        stdout=asyncio.subprocess.PIPE,
    )
    assert writer.stdout is not None
    assert await writer.stdout.readline() == b"writing\n"
    await asyncio.sleep(kill_after)
    writer.send_signal(signal.SIGKILL)
    await writer.wait()
    names = names_in(file_store.accounts_dir)
    assert names <= {LOCK_NAME, record.name, TEMP_NAME}  # at most one copy...
    if TEMP_NAME in names:  # ...and owner-only
        assert stat.S_IMODE((file_store.accounts_dir / TEMP_NAME).stat().st_mode) == 0o600
    document = json.loads(record.read_text())
    assert document["account"]["refresh_token"].startswith("refresh-")
    await FileTokenStore(file_store.data_dir).list_accounts()
    assert TEMP_NAME not in names_in(file_store.accounts_dir)
