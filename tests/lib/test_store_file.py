"""The embedded file store: one owner-only file per account, atomic, shared with other processes."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spotifylcd.account import Account
from spotifylcd.exceptions import StoreCorruptError, StoreError, StoreUnavailableError
from spotifylcd.spotify import TokenGrant
from spotifylcd.store import FileTokenStore
from spotifylcd.store.file import LOCK_NAME, record_name


def legacy_document(*accounts: Account) -> bytes:
    """`accounts.json` as versions before one file per account wrote it."""
    document = {
        "format": 1,
        "accounts": {account.uid: dataclasses.asdict(account) for account in accounts},
    }
    return json.dumps(document, indent=2, ensure_ascii=False).encode()


def names_in(directory: Path) -> set[str]:
    return {path.name for path in directory.iterdir()}


def identity(path: Path) -> tuple[int, int, int]:
    """What changes when a file is replaced or rewritten."""
    status = path.stat()
    return (status.st_ino, status.st_mtime_ns, status.st_size)


async def test_files_and_directories_are_owner_only(
    file_store: FileTokenStore, linked_account: Account
) -> None:
    await file_store.put(linked_account)
    assert stat.S_IMODE(file_store.record_path(linked_account.uid).stat().st_mode) == 0o600
    assert stat.S_IMODE((file_store.accounts_dir / LOCK_NAME).stat().st_mode) == 0o600
    assert stat.S_IMODE(file_store.accounts_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(file_store.data_dir.stat().st_mode) == 0o700


async def test_no_directory_means_no_accounts(file_store: FileTokenStore) -> None:
    assert await file_store.list_accounts() == []
    assert not file_store.data_dir.exists()


async def test_the_record_is_the_account_as_json(
    file_store: FileTokenStore, linked_account: Account
) -> None:
    saved = await file_store.put(linked_account.with_changes(overrides={"米津玄師": "Yonezu"}))
    document = json.loads(file_store.record_path(linked_account.uid).read_text())
    assert document == {"format": 1, "account": dataclasses.asdict(saved)}
    # File names are part of the stored format: another scheme would lose every account.
    assert names_in(file_store.accounts_dir) == {LOCK_NAME, "livingroom.210c67b306f2ed16.json"}


TRICKY_UIDS = [
    "Kitchen",
    "kitchen",
    "../../etc/passwd",
    "a/b\\c",
    ".",
    "..",
    "-rf *",
    ".lock",
    ".write.tmp",
    "accounts.json",
    "x" * 64,
    "キッチン" * 16,
    "🎵" * 64,
    "Ⅻ İ ß ǅ",
    " ",
]


async def test_any_uid_is_a_safe_and_distinct_file_name(
    file_store: FileTokenStore, linked_account: Account
) -> None:
    for uid in TRICKY_UIDS:
        await file_store.put(linked_account.with_changes(uid=uid))
    assert [a.uid for a in await file_store.list_accounts()] == sorted(TRICKY_UIDS)
    for uid in TRICKY_UIDS:
        assert (await file_store.get(uid)).uid == uid
        assert file_store.record_path(uid).parent == file_store.accounts_dir
    # Nothing escaped into other directories, and every uid got its own file.
    assert names_in(file_store.data_dir) == {"accounts"}
    assert len(names_in(file_store.accounts_dir)) == len(TRICKY_UIDS) + 1  # and the lock


@given(st.text(max_size=64))
def test_every_record_name_is_one_plain_file_name(uid: str) -> None:
    name = record_name(uid)
    assert name.endswith(".json")
    assert not name.startswith((".", "-"))
    assert set(name) <= set("abcdefghijklmnopqrstuvwxyz0123456789-_.")
    assert len(name.encode()) <= 255
    assert name != record_name(uid + " ")


RECORD_UID = "livingroom"
CORRUPT_RECORDS = [
    b"{not json",
    b"\xff\xfe",
    b"[]",
    b'{"format": 99, "account": {}}',
    b'{"format": 1}',
    b'{"format": 1, "account": []}',
    b'{"format": 1, "account": {"nope": 1}}',
    b'{"format": 1, "account": {"uid": "livingroom", "version": "two"}}',
    b'{"format": 1, "account": {"uid": "livingroom", "expires_at": true}}',
    b'{"format": 1, "account": {"uid": "livingroom", "overrides": {"a": 1}}}',
    b'{"format": 1, "account": {"uid": "livingroom", "access_token": ["s3cret"]}}',
    # Another account's record copied over this one.
    b'{"format": 1, "account": {"uid": "kitchen"}}',
]


@pytest.mark.parametrize("content", CORRUPT_RECORDS)
async def test_a_corrupt_record_is_refused_in_one_line_and_left_untouched(
    file_store: FileTokenStore, linked_account: Account, content: bytes
) -> None:
    stored = await file_store.put(linked_account)
    path = file_store.record_path(RECORD_UID)
    path.write_bytes(content)
    calls = [
        file_store.list_accounts(),
        file_store.get(RECORD_UID),
        file_store.put(linked_account),
        file_store.save_if_unchanged(stored),
    ]
    for call in calls:
        with pytest.raises(StoreCorruptError) as refused:
            await call
        message = str(refused.value)
        assert message.startswith(f"{path} ")
        assert message.endswith("; it was left untouched")
        assert "\n" not in message
        assert "s3cret" not in message
    assert path.read_bytes() == content


async def test_a_write_reads_and_rewrites_only_its_own_account(
    file_store: FileTokenStore, linked_account: Account
) -> None:
    for n in range(50):
        await file_store.put(linked_account.with_changes(uid=f"other-{n}"))
    stored = await file_store.put(linked_account)
    # Every other record is now unreadable: a store that read them would refuse to write.
    others = [file_store.record_path(f"other-{n}") for n in range(50)]
    for path in others:
        path.write_bytes(b"garbage")
    before = {path: identity(path) for path in others}
    latest = await file_store.get(RECORD_UID)
    saved = await file_store.save_if_unchanged(latest.with_grant(TokenGrant("a-1", "r-1", 9.0)))
    assert (saved.version, saved.access_token) == (stored.version + 1, "a-1")
    assert {path: identity(path) for path in others} == before


async def test_a_failed_write_keeps_the_previous_record(
    file_store: FileTokenStore, linked_account: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    await file_store.put(linked_account)
    path = file_store.record_path(RECORD_UID)
    before = path.read_bytes()

    def disk_full(_fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(StoreError, match="No space left") as raised:
        await file_store.put(linked_account.with_changes(access_token="new"))
    monkeypatch.undo()
    # Only a store server can be away for a while; a local file's error is for a human to fix.
    assert not isinstance(raised.value, StoreUnavailableError)
    assert path.read_bytes() == before
    assert names_in(file_store.accounts_dir) == {LOCK_NAME, path.name}


async def test_a_store_that_is_not_a_directory_is_one_line(tmp_path: Path) -> None:
    not_a_directory = tmp_path / "file"
    not_a_directory.write_bytes(b"")
    with pytest.raises(StoreError) as raised:
        await FileTokenStore(not_a_directory).list_accounts()
    assert str(raised.value) == (
        f"cannot use the account store: {not_a_directory}/accounts: Not a directory"
    )


# Migration from `accounts.json`, the single file of earlier versions.


async def test_the_legacy_file_is_moved_into_one_file_per_account(
    tmp_path: Path, linked_account: Account, caplog: pytest.LogCaptureFixture
) -> None:
    accounts = [
        linked_account.with_changes(version=7),
        linked_account.with_changes(uid="キッチン", device_key=None, keyless=True, version=2),
        Account(uid="study", overrides={"米津玄師": "Yonezu"}, version=1),
    ]
    (tmp_path / "accounts.json").write_bytes(legacy_document(*accounts))
    (tmp_path / ".accounts.json.lock").write_bytes(b"")
    (tmp_path / ".accounts.json.tmp").write_text('{"format": 1, "accounts": {"x": {"client_s')
    store = FileTokenStore(tmp_path)
    with caplog.at_level(logging.INFO):
        assert await store.list_accounts() == sorted(accounts, key=lambda a: a.uid)
    assert "moved 3 account(s) from" in caplog.text
    assert names_in(tmp_path) == {"accounts"}
    assert names_in(store.accounts_dir) == {LOCK_NAME, *(record_name(a.uid) for a in accounts)}
    for account in accounts:
        assert stat.S_IMODE(store.record_path(account.uid).stat().st_mode) == 0o600
    # The versions came along, so a writer holding an account read before still wins its CAS.
    saved = await store.save_if_unchanged(accounts[0].with_changes(access_token="new"))
    assert saved.version == 8


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"[]",
        b'{"format": 99, "accounts": {}}',
        b'{"format": 1}',
        b'{"format": 1, "accounts": []}',
        b'{"format": 1, "accounts": {"a": {"nope": 1}}}',
        b'{"format": 1, "accounts": {"a": {"uid": "b"}}}',
    ],
)
async def test_a_corrupt_legacy_file_is_refused_and_nothing_is_created(
    tmp_path: Path, linked_account: Account, content: bytes
) -> None:
    legacy = tmp_path / "accounts.json"
    legacy.write_bytes(content)
    store = FileTokenStore(tmp_path)
    for call in (store.list_accounts(), store.get("a"), store.put(linked_account)):
        with pytest.raises(StoreCorruptError, match=f"^{legacy} .*; it was left untouched$"):
            await call
    assert names_in(tmp_path) == {"accounts.json"}
    assert legacy.read_bytes() == content


MIGRATE_UNTIL_KILLED = textwrap.dedent(
    """
    import asyncio, os, signal, sys
    from spotifylcd.store import FileTokenStore

    real_fsync, calls = os.fsync, 0

    def fsync_then_die(fd: int) -> None:
        global calls
        calls += 1
        if calls == int(sys.argv[2]):
            os.kill(os.getpid(), signal.SIGKILL)
        real_fsync(fd)

    os.fsync = fsync_then_die
    asyncio.run(FileTokenStore(sys.argv[1]).list_accounts())
    """
)


# The migration fsyncs the data directory holding the new `accounts` directory, each of the
# 5 records, the `accounts` directory, then the data directory once the legacy file is gone:
# killed at each of those steps, and once not at all.
@pytest.mark.parametrize("killed_at_fsync", [1, 2, 4, 6, 7, 8, 0])
async def test_a_migration_killed_midway_is_finished_by_the_next_open(
    tmp_path: Path, linked_account: Account, killed_at_fsync: int
) -> None:
    accounts = [linked_account.with_changes(uid=f"room-{n}", version=n + 1) for n in range(5)]
    (tmp_path / "accounts.json").write_bytes(legacy_document(*accounts))
    migrating = await asyncio.create_subprocess_exec(
        sys.executable, "-c", MIGRATE_UNTIL_KILLED, str(tmp_path), str(killed_at_fsync)
    )
    code = await migrating.wait()
    assert code == (-signal.SIGKILL if killed_at_fsync else 0)
    store = FileTokenStore(tmp_path)
    assert await store.list_accounts() == accounts
    assert names_in(tmp_path) == {"accounts"}
    assert names_in(store.accounts_dir) == {LOCK_NAME, *(record_name(a.uid) for a in accounts)}


async def test_a_record_written_since_wins_over_a_legacy_file_that_came_back(
    tmp_path: Path, linked_account: Account
) -> None:
    store = FileTokenStore(tmp_path)
    newer = await store.put(linked_account.with_changes(access_token="newer"))
    (tmp_path / "accounts.json").write_bytes(
        legacy_document(linked_account, Account(uid="restored"))
    )
    fresh = FileTokenStore(tmp_path)
    assert await fresh.list_accounts() == [newer, Account(uid="restored")]
    assert names_in(tmp_path) == {"accounts"}


# Other processes.

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


async def test_killed_writer_leaves_complete_records(tmp_path: Path) -> None:
    process = _start_writer(tmp_path, "a")
    await asyncio.sleep(0.3)
    process.send_signal(signal.SIGKILL)
    _reap(process)
    accounts = await FileTokenStore(tmp_path).list_accounts()
    assert len(accounts) >= 5
    assert {account.access_token for account in accounts} == {"x" * 5000}


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


ROTATE_ONE = textwrap.dedent(
    """
    import asyncio, sys
    from spotifylcd.exceptions import StoreConflictError
    from spotifylcd.store import FileTokenStore

    async def main() -> None:
        store = FileTokenStore(sys.argv[1])
        won = 0
        for n in range(200):
            account = await store.get("livingroom")
            try:
                await store.save_if_unchanged(account.with_changes(access_token=sys.argv[2]))
            except StoreConflictError:
                continue
            won += 1
        print(won)

    asyncio.run(main())
    """
)


async def test_compare_and_set_holds_across_processes(
    file_store: FileTokenStore, linked_account: Account
) -> None:
    await file_store.put(linked_account)
    writers = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            ROTATE_ONE,
            str(file_store.data_dir),
            name,
            stdout=asyncio.subprocess.PIPE,
        )
        for name in ("a", "b")
    ]
    won = [int((await writer.communicate())[0]) for writer in writers]
    # Every successful compare-and-set bumped the version once: none was lost or doubled.
    assert (await file_store.get(RECORD_UID)).version == 1 + sum(won)
