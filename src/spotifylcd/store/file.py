"""The embedded default store: one file per account, so a token write costs the same at any size.

Under the data directory, readable only by us:

    accounts/<readable>.<digest>.json   one account, replaced atomically (temp, fsync, rename)
    accounts/.lock                      serialises writers, also across processes
    accounts/.write.tmp                 the account being written; a killed writer's is removed

A write reads and replaces only its own account's file, under a store-wide lock held for just
that; readers take no lock. Earlier versions kept every account in `accounts.json`: the first
open copies each account into its own file, fsyncs them, then removes `accounts.json` with its
lock and leftovers. A crash on the way loses nothing (the old file goes last) and the next open
finishes the move; an account that already has its own file keeps it.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import fcntl
import functools
import hashlib
import json
import logging
import os
import string
import types
import typing
from pathlib import Path
from typing import TYPE_CHECKING, Final

from ..account import Account
from ..exceptions import AccountNotFoundError, StoreConflictError, StoreCorruptError, StoreError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

ACCOUNTS_DIR: Final = "accounts"
RECORD_SUFFIX: Final = ".json"
LOCK_NAME: Final = ".lock"
# One writer at a time (the lock), so one fixed name for the file being written.
TEMP_NAME: Final = ".write.tmp"
# Format 1: a record holds {"format": 1, "account": {...}}; the legacy file held "accounts".
FORMAT: Final = 1
LEGACY_FILE_NAME: Final = "accounts.json"
# The legacy file's lock and temporary copies (`.accounts.json.tmp`, `.accounts.json.XXXXXXXX`).
LEGACY_LEFTOVERS: Final = f".{LEGACY_FILE_NAME}.*"
_READABLE: Final = frozenset(string.ascii_lowercase + string.digits + "-_")
_READABLE_LENGTH: Final = 32
_DIGEST_LENGTH: Final = 16
_LOGGER = logging.getLogger(__name__)


def record_name(uid: str) -> str:
    """The file name of `uid`'s account: recognisable, yet safe for any uid on any filesystem.

    The readable part keeps only lowercase ASCII letters, digits, `-` and `_`, never a leading
    `-` (a shell would take the name for an option); the digest of the exact uid tells apart
    uids that read alike (`Kitchen` and `kitchen` on a case-insensitive filesystem, `キッチン`
    and `厨房`) and bounds the length whatever the uid holds.
    """
    readable = "".join(char for char in uid.lower() if char in _READABLE)
    readable = readable.lstrip("-")[:_READABLE_LENGTH]
    digest = hashlib.sha256(uid.encode("utf-8", "surrogatepass")).hexdigest()[:_DIGEST_LENGTH]
    return f"{readable}.{digest}{RECORD_SUFFIX}" if readable else f"{digest}{RECORD_SUFFIX}"


class FileTokenStore:
    """Accounts under `<data dir>/accounts/`; safe against crashes and other processes."""

    def __init__(self, data_dir: str | os.PathLike[str]) -> None:
        """Keep accounts under `data_dir`, created owner-only on first write."""
        self.data_dir = Path(data_dir)
        self.accounts_dir = self.data_dir / ACCOUNTS_DIR
        # Writers of this process queue here rather than in threads blocked on the file lock.
        self._writing = asyncio.Lock()
        self._opened = False

    def record_path(self, uid: str) -> Path:
        """The file holding `uid`'s account."""
        return self.accounts_dir / record_name(uid)

    async def list_accounts(self) -> list[Account]:
        """Every account, in uid order."""
        return await self._call(self._list)

    async def get(self, uid: str) -> Account:
        """The account called `uid`."""
        return await self._call(functools.partial(self._get, uid))

    async def put(self, account: Account) -> Account:
        """Create or overwrite an account."""

        def change(previous: Account | None) -> Account:
            version = previous.version + 1 if previous else 1
            return account.with_changes(version=version)

        transaction = functools.partial(self._transaction, account.uid, change)
        return await self._call(transaction, write=True)

    async def save_if_unchanged(self, account: Account) -> Account:
        """Compare-and-set on the version counter."""

        def change(current: Account | None) -> Account:
            if current is None:
                raise AccountNotFoundError(account.uid)
            if current.version != account.version:
                msg = f"{account.uid}: stored version {current.version}, expected {account.version}"
                raise StoreConflictError(msg)
            return account.with_changes(version=account.version + 1)

        transaction = functools.partial(self._transaction, account.uid, change)
        return await self._call(transaction, write=True)

    async def delete(self, uid: str) -> None:
        """Forget an account."""
        await self._call(functools.partial(self._delete, uid), write=True)

    async def close(self) -> None:
        """Nothing stays open between calls."""

    async def _call[T](self, function: Callable[[], T], *, write: bool = False) -> T:
        if not self._opened:
            async with self._writing:
                if not self._opened:
                    await self._in_thread(self._open)
                    self._opened = True
        if not write:
            return await self._in_thread(function)
        async with self._writing:
            return await self._in_thread(function)

    async def _in_thread[T](self, function: Callable[[], T]) -> T:
        try:
            return await asyncio.to_thread(function)
        except OSError as err:
            # Not `StoreUnavailableError`: a local file always answers, so retrying at
            # start-up would only hide a wrong path or wrong permissions.
            where = err.filename or self.data_dir
            msg = f"cannot use the account store: {where}: {err.strerror or err}"
            raise StoreError(msg) from err

    def _open(self) -> None:
        """Finish what an earlier version or a killed writer left behind."""
        if self._legacy_paths():
            self._migrate()
        if (self.accounts_dir / TEMP_NAME).exists():
            with self._exclusive():
                (self.accounts_dir / TEMP_NAME).unlink(missing_ok=True)

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        """Serialise writers with those of other processes (`link` while `serve` runs)."""
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            self.accounts_dir.mkdir(mode=0o700)
        except FileExistsError:
            pass
        else:
            _fsync_directory(self.data_dir)  # or a power cut could lose it with its first account
        fd = os.open(self.accounts_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _list(self) -> list[Account]:
        try:
            paths = [
                path
                for path in self.accounts_dir.iterdir()
                if path.suffix == RECORD_SUFFIX and not path.name.startswith(".")
            ]
        except FileNotFoundError:
            return []
        accounts = []
        for path in paths:
            try:
                raw = path.read_bytes()
            except FileNotFoundError:
                continue  # deleted since the directory was listed
            accounts.append(_record(path, raw))
        return sorted(accounts, key=lambda account: account.uid)

    def _get(self, uid: str) -> Account:
        account = self._stored(uid)
        if account is None:
            raise AccountNotFoundError(uid)
        return account

    def _stored(self, uid: str) -> Account | None:
        path = self.record_path(uid)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        return _record(path, raw)

    def _transaction(self, uid: str, change: Callable[[Account | None], Account]) -> Account:
        with self._exclusive():
            updated = change(self._stored(uid))
            self._write(updated)
            _fsync_directory(self.accounts_dir)
            return updated

    def _delete(self, uid: str) -> None:
        with self._exclusive():
            try:
                self.record_path(uid).unlink()
            except FileNotFoundError as err:
                raise AccountNotFoundError(uid) from err
            _fsync_directory(self.accounts_dir)

    def _write(self, account: Account) -> None:
        """Replace the account's file; a reader sees the old one or the new one, whole."""
        document = {"format": FORMAT, "account": dataclasses.asdict(account)}
        payload = json.dumps(document, indent=2, ensure_ascii=False).encode()
        temp_path = self.accounts_dir / TEMP_NAME
        # Under the lock, a file by that name is what a killed writer left (secrets included).
        temp_path.unlink(missing_ok=True)
        # O_EXCL: never write through a file (or link) someone put there meanwhile.
        fd = os.open(temp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as temp:
                os.fchmod(temp.fileno(), 0o600)
                temp.write(payload)
                temp.flush()
                os.fsync(temp.fileno())
            temp_path.replace(self.record_path(account.uid))
        except BaseException:
            temp_path.unlink(missing_ok=True)
            raise

    def _legacy_paths(self) -> list[Path]:
        legacy = self.data_dir / LEGACY_FILE_NAME
        return [*([legacy] if legacy.exists() else []), *self.data_dir.glob(LEGACY_LEFTOVERS)]

    def _migrate(self) -> None:
        """Move the accounts of the legacy `accounts.json` into one file each."""
        legacy = self.data_dir / LEGACY_FILE_NAME
        _legacy_accounts(legacy)  # a corrupt file is refused before anything is created
        with self._exclusive():
            # Read again under the lock: another process may have moved them meanwhile.
            accounts = _legacy_accounts(legacy)
            moved = [a for a in accounts if not self.record_path(a.uid).exists()]
            for account in moved:
                self._write(account)
            _fsync_directory(self.accounts_dir)
            for path in self._legacy_paths():
                path.unlink(missing_ok=True)
            _fsync_directory(self.data_dir)
        if moved:
            _LOGGER.info(
                "moved %d account(s) from %s into one file each in %s; %s is gone",
                len(moved),
                legacy,
                self.accounts_dir,
                LEGACY_FILE_NAME,
            )


def _legacy_accounts(path: Path) -> list[Account]:
    """The accounts of an earlier version's single file; none when it is gone."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    with _refused_as_corrupt(path, "account file"):
        by_uid = _contents(path, raw, "accounts")
        if not isinstance(by_uid, dict):
            msg = "'accounts' is not an object"
            raise TypeError(msg)
        accounts = [_account(fields) for fields in by_uid.values()]
        for uid, account in zip(by_uid, accounts, strict=True):
            if account.uid != uid:
                msg = f"the account under {uid!r} is called {account.uid!r}"
                raise ValueError(msg)
        return accounts


def _record(path: Path, raw: bytes) -> Account:
    """The account in a record file, which must be the file its uid names."""
    with _refused_as_corrupt(path, "account record"):
        account = _account(_contents(path, raw, "account"))
        if record_name(account.uid) != path.name:
            msg = f"it holds {account.uid!r}, whose file is {record_name(account.uid)}"
            raise ValueError(msg)
        return account


@contextlib.contextmanager
def _refused_as_corrupt(path: Path, what: str) -> Iterator[None]:
    """Say in one line why `path` cannot be read; the caller leaves it untouched."""
    try:
        yield
    except (ValueError, TypeError) as err:
        msg = f"{path} is not a Spotify LCD {what} ({err}); it was left untouched"
        raise StoreCorruptError(msg) from err


def _contents(path: Path, raw: bytes, key: str) -> object:
    """`key` of a stored document, once its format is known to be ours."""
    document = json.loads(raw)
    if not isinstance(document, dict):
        msg = "not a JSON object"
        raise TypeError(msg)
    if document.get("format") != FORMAT:
        msg = (
            f"{path} is in format {document.get('format')!r}, not {FORMAT} "
            "(written by a newer Spotify LCD?); it was left untouched"
        )
        raise StoreCorruptError(msg)
    if key not in document:
        msg = f"no {key!r} in it"
        raise ValueError(msg)
    return document[key]


def _account(fields: object) -> Account:
    """An account from stored fields, each of its declared type; unknown fields are ignored."""
    if not isinstance(fields, dict):
        msg = "an account is not a JSON object"
        raise TypeError(msg)
    known = {name: value for name, value in fields.items() if name in _JSON_TYPES}
    for name, value in known.items():
        if not _fits(value, _JSON_TYPES[name]):
            # The type only: the value may be a secret.
            msg = f"{name} holds a JSON {type(value).__name__}"
            raise TypeError(msg)
    return Account(**known)


def _fits(value: object, accepted: frozenset[type]) -> bool:
    """Whether a JSON value has a field's type (the one mapping, `overrides`, holds text)."""
    if type(value) not in accepted:  # exact: JSON true is no number
        return False
    return not isinstance(value, dict) or all(
        isinstance(key, str) and isinstance(item, str) for key, item in value.items()
    )


def _json_types() -> dict[str, frozenset[type]]:
    """The types `json.loads` gives each `Account` field; a `float` may come as `3`."""
    table = {}
    for name, declared in typing.get_type_hints(Account).items():
        union = isinstance(declared, types.UnionType)
        options = typing.get_args(declared) if union else (declared,)
        kinds = {typing.get_origin(option) or option for option in options}  # dict[str, str]
        if float in kinds:
            kinds.add(int)
        table[name] = frozenset(kind for kind in kinds if isinstance(kind, type))
    return table


_JSON_TYPES: Final = _json_types()


def _fsync_directory(path: Path) -> None:
    """Make renames and removals in `path` survive a power cut."""
    directory = os.open(path, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
