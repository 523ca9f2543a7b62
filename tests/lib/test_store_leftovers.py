"""A writer killed mid-write leaves no copy of the secrets behind (defect 6 of issue 14)."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from pathlib import Path

import pytest

from spotifylcd.account import Account
from spotifylcd.store import FileTokenStore
from spotifylcd.store.file import LOCK_NAME, TEMP_NAME

LEFTOVERS = (TEMP_NAME, ".accounts.json.k2x9_q0a")  # today's name, and an older version's


def plant_leftovers(data: Path) -> None:
    for name in LEFTOVERS:
        (data / name).write_text('{"format": 1, "accounts": {"x": {"client_secret": "s3cret"')


async def test_reading_removes_what_a_killed_writer_left(
    file_store: FileTokenStore, linked_account: Account
) -> None:
    await file_store.put(linked_account)
    plant_leftovers(file_store.data_dir)
    fresh = FileTokenStore(file_store.data_dir)  # a server starting after the crash
    assert [account.uid for account in await fresh.list_accounts()] == ["livingroom"]
    assert sorted(path.name for path in file_store.data_dir.iterdir()) == [
        LOCK_NAME,
        "accounts.json",
    ]


async def test_writing_removes_what_a_killed_writer_left(
    file_store: FileTokenStore, linked_account: Account
) -> None:
    await file_store.put(linked_account)
    plant_leftovers(file_store.data_dir)
    await file_store.put(linked_account.with_changes(uid="kitchen"))
    assert not [path for path in file_store.data_dir.iterdir() if path.name in LEFTOVERS]
    assert len(await file_store.list_accounts()) == 2


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
    names = {path.name for path in file_store.data_dir.iterdir()}
    assert names <= {LOCK_NAME, "accounts.json", TEMP_NAME}  # at most one copy, owner-only
    document = json.loads((file_store.data_dir / "accounts.json").read_text())
    assert document["accounts"]["livingroom"]["refresh_token"].startswith("refresh-")
    await FileTokenStore(file_store.data_dir).list_accounts()
    assert TEMP_NAME not in {path.name for path in file_store.data_dir.iterdir()}
