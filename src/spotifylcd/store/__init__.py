"""Token stores: the embedded file store (default) and MongoDB, chosen by one location string."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Final

from .base import DEFAULT_COLLECTION, DEFAULT_DATABASE, TokenStore
from .file import FileTokenStore

if TYPE_CHECKING:
    from .mongodb import MongoTokenStore

DEFAULT_DATA_DIR: Final = "spotify-lcd-data"
MONGODB_SCHEMES: Final = ("mongodb://", "mongodb+srv://")


def default_location() -> str:
    """`$SPOTIFY_LCD_DATA`, else `./spotify-lcd-data`."""
    return os.environ.get("SPOTIFY_LCD_DATA") or DEFAULT_DATA_DIR


def is_mongodb_uri(location: str) -> bool:
    """Whether `location` names a MongoDB server rather than a data directory."""
    return location.startswith(MONGODB_SCHEMES)


def open_store(
    location: str | None = None,
    database: str = DEFAULT_DATABASE,
    collection: str = DEFAULT_COLLECTION,
) -> TokenStore:
    """The store at `location`: a MongoDB URI (with database and collection), else a directory."""
    location = location or default_location()
    if is_mongodb_uri(location):
        return _mongodb_store()(location, database, collection)
    return FileTokenStore(Path(location))


def _mongodb_store() -> type[MongoTokenStore]:
    # pymongo costs ~0.2 s and ~5 MiB to import: only a MongoDB store loads it.
    from .mongodb import MongoTokenStore  # noqa: PLC0415

    return MongoTokenStore


def __getattr__(name: str) -> object:
    """`MongoTokenStore`, imported on first use (PEP 562)."""
    if name == "MongoTokenStore":
        return _mongodb_store()
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


__all__ = [
    "FileTokenStore",
    "MongoTokenStore",
    "TokenStore",
    "default_location",
    "is_mongodb_uri",
    "open_store",
]
