"""The embedded default store: one JSON file, replaced atomically and readable only by us."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import fcntl
import functools
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Final

from ..account import Account
from ..exceptions import AccountNotFoundError, StoreConflictError, StoreCorruptError, StoreError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

FILE_NAME: Final = "accounts.json"
LOCK_NAME: Final = f".{FILE_NAME}.lock"
# One writer at a time (the lock), so one fixed name for the copy being written; a copy left
# by a killed writer holds secrets and is removed by the next writer or reader.
TEMP_NAME: Final = f".{FILE_NAME}.tmp"
FORMAT: Final = 1
_FIELDS: Final = tuple(f.name for f in dataclasses.fields(Account))


class FileTokenStore:
    """Accounts in `<data dir>/accounts.json`; safe against crashes and other processes."""

    def __init__(self, data_dir: str | os.PathLike[str]) -> None:
        """Keep accounts under `data_dir`, created owner-only on first write."""
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / FILE_NAME
        self._lock = asyncio.Lock()
        self._swept = False

    async def list_accounts(self) -> list[Account]:
        """Every account, in uid order."""
        if not self._swept:
            await self._run(self._sweep)
        accounts = await self._run(self._read)
        return [accounts[uid] for uid in sorted(accounts)]

    async def get(self, uid: str) -> Account:
        """The account called `uid`."""
        accounts = await self._run(self._read)
        if uid not in accounts:
            raise AccountNotFoundError(uid)
        return accounts[uid]

    async def put(self, account: Account) -> Account:
        """Create or overwrite an account."""

        def change(accounts: dict[str, Account]) -> Account:
            previous = accounts.get(account.uid)
            version = previous.version + 1 if previous else 1
            return account.with_changes(version=version)

        return await self._run(functools.partial(self._transaction, account.uid, change))

    async def save_if_unchanged(self, account: Account) -> Account:
        """Compare-and-set on the version counter."""

        def change(accounts: dict[str, Account]) -> Account:
            current = accounts.get(account.uid)
            if current is None:
                raise AccountNotFoundError(account.uid)
            if current.version != account.version:
                msg = f"{account.uid}: stored version {current.version}, expected {account.version}"
                raise StoreConflictError(msg)
            return account.with_changes(version=account.version + 1)

        return await self._run(functools.partial(self._transaction, account.uid, change))

    async def delete(self, uid: str) -> None:
        """Forget an account."""
        await self._run(functools.partial(self._delete, uid))

    async def close(self) -> None:
        """Nothing stays open between calls."""

    async def _run[T](self, function: Callable[[], T]) -> T:
        async with self._lock:
            try:
                return await asyncio.to_thread(function)
            except OSError as err:
                # Not `StoreUnavailableError`: a local file always answers, so retrying at
                # start-up would only hide a wrong path or wrong permissions.
                msg = f"cannot use the account file {self.path}: {err.strerror or err}"
                raise StoreError(msg) from err

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        """Serialise read-modify-write with other processes (`link` while `serve` runs)."""
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.data_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _sweep(self) -> None:
        """Remove copies a killed writer left (holding secrets), under the writers' lock."""
        if self.data_dir.is_dir() and self._leftovers():
            with self._exclusive():
                self._remove_leftovers()
        self._swept = True

    def _leftovers(self) -> list[Path]:
        # Also `.accounts.json.XXXXXXXX`, the random names earlier versions wrote.
        return [path for path in self.data_dir.glob(f".{FILE_NAME}.*") if path.name != LOCK_NAME]

    def _remove_leftovers(self) -> None:
        for leftover in self._leftovers():
            leftover.unlink(missing_ok=True)

    def _transaction(self, uid: str, change: Callable[[dict[str, Account]], Account]) -> Account:
        with self._exclusive():
            self._remove_leftovers()
            accounts = self._read()
            updated = change(accounts)
            accounts[uid] = updated
            self._write(accounts)
            return updated

    def _delete(self, uid: str) -> None:
        with self._exclusive():
            self._remove_leftovers()
            accounts = self._read()
            if accounts.pop(uid, None) is None:
                raise AccountNotFoundError(uid)
            self._write(accounts)

    def _read(self) -> dict[str, Account]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        try:
            document = json.loads(raw)
            if document.get("format") != FORMAT:
                msg = (
                    f"{self.path} is in format {document.get('format')!r}, not {FORMAT} "
                    "(written by a newer Spotify LCD?); it was left untouched"
                )
                raise StoreCorruptError(msg)
            return {
                uid: Account(**{key: value for key, value in fields.items() if key in _FIELDS})
                for uid, fields in document["accounts"].items()
            }
        except (ValueError, TypeError, KeyError, AttributeError) as err:
            msg = f"{self.path} is not a Spotify LCD account file ({err}); it was left untouched"
            raise StoreCorruptError(msg) from err

    def _write(self, accounts: dict[str, Account]) -> None:
        document = {
            "format": FORMAT,
            "accounts": {uid: dataclasses.asdict(accounts[uid]) for uid in sorted(accounts)},
        }
        payload = json.dumps(document, indent=2, ensure_ascii=False).encode()
        temp_path = self.data_dir / TEMP_NAME
        # O_EXCL: the leftovers are gone, so an existing file here is not ours to write into.
        fd = os.open(temp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as temp:
                os.fchmod(temp.fileno(), 0o600)
                temp.write(payload)
                temp.flush()
                os.fsync(temp.fileno())
            temp_path.replace(self.path)
        except BaseException:
            temp_path.unlink(missing_ok=True)
            raise
        directory = os.open(self.data_dir, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
