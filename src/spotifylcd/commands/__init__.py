"""The `spotify-lcd` commands, each imported only when it runs, so `--help` answers at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..store import open_store

if TYPE_CHECKING:
    import argparse

    from ..store import TokenStore


def store_of(args: argparse.Namespace) -> TokenStore:
    """The store `--store` (and the MongoDB database and collection options) names."""
    return open_store(args.store, args.mongodb_database, args.mongodb_collection)
