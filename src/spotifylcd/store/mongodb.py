"""MongoDB store in the old middleware's layout, so its database keeps working unchanged."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from pymongo import AsyncMongoClient, ReturnDocument
from pymongo.errors import ConnectionFailure, PyMongoError

from ..account import Account
from ..exceptions import (
    AccountNotFoundError,
    StoreConflictError,
    StoreCorruptError,
    StoreError,
    StoreUnavailableError,
)
from .base import DEFAULT_COLLECTION, DEFAULT_DATABASE

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from pymongo.asynchronous.collection import AsyncCollection

# The old middleware wrote local wall-clock time in this format.
TOKEN_EXPIRE_FORMAT: Final = "%m/%d/%Y, %H:%M:%S"  # noqa: S105 - a date format
_LOGGER = logging.getLogger(__name__)

type Document = dict[str, Any]
DEFAULT_ACCOUNT: Final = Account(uid="")


def account_to_document(account: Account) -> Document:
    """The stored fields: the legacy ones first, then what this project added."""
    return {
        "user": account.uid,
        "client_id": account.client_id,
        "client_secret": account.client_secret,
        "access_token": account.access_token,
        "refresh_token": account.refresh_token,
        "token_expire": _legacy_time(account.expires_at),
        "expires_at": int(account.expires_at),
        "device_key": account.device_key,
        "keyless": account.keyless,
        "needs_relink": account.needs_relink,
        "spotify_user_id": account.spotify_user_id,
        "country": account.country,
        "linked_at": account.linked_at,
        "rom": account.rom,
        "size": account.size,
        "japanese": account.japanese,
        "han_reading": account.han_reading,
        "overrides": dict(account.overrides),
        "scopes": account.scopes,
        "keyless_control": account.keyless_control,
    }


def _legacy_time(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).astimezone().strftime(TOKEN_EXPIRE_FORMAT)


def document_to_account(document: Document) -> Account:
    """Read a document, including one written by the old middleware (no key, no version).

    Legacy firmware cannot send a device key, so a document without one is keyless.
    """
    device_key = document.get("device_key") or None
    return Account(
        uid=str(document["user"]),
        client_id=str(document.get("client_id") or ""),
        client_secret=str(document.get("client_secret") or ""),
        access_token=str(document.get("access_token") or ""),
        refresh_token=str(document.get("refresh_token") or ""),
        expires_at=_expires_at(document),
        device_key=device_key,
        keyless=bool(document.get("keyless", device_key is None)),
        needs_relink=bool(document.get("needs_relink", False)),
        spotify_user_id=str(document.get("spotify_user_id") or ""),
        country=str(document.get("country") or ""),
        linked_at=document.get("linked_at"),
        rom=str(document.get("rom") or DEFAULT_ACCOUNT.rom),
        size=str(document.get("size") or DEFAULT_ACCOUNT.size),
        japanese=str(document.get("japanese") or DEFAULT_ACCOUNT.japanese),
        han_reading=str(document.get("han_reading") or DEFAULT_ACCOUNT.han_reading),
        overrides={
            str(source): str(shown) for source, shown in (document.get("overrides") or {}).items()
        },
        scopes=str(document.get("scopes") or ""),
        keyless_control=bool(document.get("keyless_control", False)),
        version=int(document.get("version") or 0),
    )


def _expires_at(document: Document) -> float:
    value = document.get("expires_at")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    try:
        local = datetime.strptime(str(document["token_expire"]), TOKEN_EXPIRE_FORMAT)  # noqa: DTZ007
        return local.astimezone().timestamp()
    except (KeyError, ValueError):
        # Unknown expiry: treat the token as expired so the next call refreshes it.
        return 0.0


class MongoTokenStore:
    """Accounts as documents in `spotify-db`.`user`, one per uid, written compare-and-set."""

    def __init__(
        self,
        uri: str,
        database: str = DEFAULT_DATABASE,
        collection: str = DEFAULT_COLLECTION,
        *,
        timeout_ms: int = 3000,
    ) -> None:
        """Connect lazily to `uri`; nothing is sent until the first call."""
        try:
            self._client: AsyncMongoClient[Document] = AsyncMongoClient(
                uri,
                serverSelectionTimeoutMS=timeout_ms,
                connectTimeoutMS=timeout_ms,
                tz_aware=False,
            )
        except (PyMongoError, ValueError) as err:
            # The message names the faulty part; the URI itself may hold a password.
            msg = f"not a usable MongoDB URI: {err}"
            raise StoreError(msg) from err
        self._collection: AsyncCollection[Document] = self._client[database][collection]
        self._indexed = False

    async def ping(self) -> None:
        """Check the server answers and we may use it; raises `StoreUnavailableError`."""
        await self._call(self._client.admin.command("ping"))

    async def list_accounts(self) -> list[Account]:
        """Every account, in uid order."""
        cursor = self._collection.find({}, {"_id": False}).sort("user")
        documents: list[Document] = await self._call(cursor.to_list())
        return [_stored_account(document) for document in documents if "user" in document]

    async def versions(self) -> dict[str, int]:
        """Each account's version counter: a cheap way to see what changed since a read."""
        cursor = self._collection.find({}, {"_id": False, "user": True, "version": True})
        documents: list[Document] = await self._call(cursor.to_list())
        return {
            str(document["user"]): int(document.get("version") or 0)
            for document in documents
            if "user" in document
        }

    def beside(self, suffix: str) -> AsyncCollection[Document]:
        """A collection next to the accounts' (`user_leases` beside `user`), for shared state."""
        return self._collection.database[f"{self._collection.name}_{suffix}"]

    async def call[T](self, operation: Awaitable[T]) -> T:
        """Await a MongoDB operation, its failures as `StoreUnavailableError`/`StoreError`."""
        return await self._call(operation)

    async def get(self, uid: str) -> Account:
        """The account called `uid`."""
        document = await self._call(self._collection.find_one({"user": uid}, {"_id": False}))
        if document is None:
            raise AccountNotFoundError(uid)
        return _stored_account(document)

    async def put(self, account: Account) -> Account:
        """Create or overwrite an account, keeping any fields we do not know about."""
        await self._ensure_index()
        document = await self._call(
            self._collection.find_one_and_update(
                {"user": account.uid},
                {"$set": account_to_document(account), "$inc": {"version": 1}},
                projection={"_id": False},
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
        )
        if document is None:
            msg = f"MongoDB did not return the upserted account {account.uid!r}"
            raise StoreUnavailableError(msg)
        return _stored_account(document)

    async def save_if_unchanged(self, account: Account) -> Account:
        """Compare-and-set on the version counter (a legacy document has none: version 0)."""
        expected: Any = account.version or {"$in": [0, None]}
        result = await self._call(
            self._collection.update_one(
                {"user": account.uid, "version": expected},
                {"$set": {**account_to_document(account), "version": account.version + 1}},
            )
        )
        if result.matched_count == 0:
            await self.get(account.uid)
            msg = f"{account.uid}: changed by another writer since version {account.version}"
            raise StoreConflictError(msg)
        return account.with_changes(version=account.version + 1)

    async def delete(self, uid: str) -> None:
        """Forget an account."""
        result = await self._call(self._collection.delete_one({"user": uid}))
        if result.deleted_count == 0:
            raise AccountNotFoundError(uid)

    async def close(self) -> None:
        """Close the connection pool."""
        await self._client.close()

    async def _ensure_index(self) -> None:
        if self._indexed:
            return
        try:
            await self._collection.create_index("user", unique=True)
        except PyMongoError as err:
            # An old database may hold duplicate uids; we still work, just without the guard.
            _LOGGER.warning("cannot create a unique index on %s.user: %s", self._collection, err)
        self._indexed = True

    @staticmethod
    async def _call[T](operation: Awaitable[T]) -> T:
        try:
            result = await operation
        except ConnectionFailure as err:
            # pymongo appends its whole topology description (~600 characters) to the reason.
            reason = str(err).split(", Timeout:", 1)[0]
            msg = f"MongoDB is not available: {reason}"
            raise StoreUnavailableError(msg) from err
        except PyMongoError as err:
            # It answered but refused (authentication, permissions): waiting will not help.
            msg = f"MongoDB refused the request: {err}"
            raise StoreError(msg) from err
        return result


def _stored_account(document: Document) -> Account:
    """`document_to_account` for a document read back; one we cannot interpret is corrupt."""
    try:
        return document_to_account(document)
    except (ValueError, TypeError, AttributeError) as err:
        msg = (
            f"the MongoDB document of {document.get('user')!r} is not a Spotify LCD account "
            f"({err}); it was left untouched"
        )
        raise StoreCorruptError(msg) from err
