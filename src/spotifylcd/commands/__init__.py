"""The `spotify-lcd` commands, each imported only when it runs, so `--help` answers at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..store import default_location, is_mongodb_uri, open_store

if TYPE_CHECKING:
    import argparse

    from ..store import TokenStore


def store_of(args: argparse.Namespace) -> TokenStore:
    """The store `--store` (and the MongoDB database and collection options) names."""
    location = args.store or default_location()
    if is_mongodb_uri(location):
        from ..store.mongodb import MongoTokenStore  # noqa: PLC0415 - pymongo, only for MongoDB

        return MongoTokenStore(location, args.mongodb_database, args.mongodb_collection)
    return open_store(location)
