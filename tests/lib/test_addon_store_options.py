"""The add-on's options for the old middleware's MongoDB names and for trusted proxies."""

from __future__ import annotations

from typing import Any

import pytest

from spotifylcd.addon import AddonOptions, OptionsError
from spotifylcd.cli import build_parser


def serve_argv(options: dict[str, Any]) -> list[str]:
    return AddonOptions.parse(options).serve_argv(
        data_dir="/data", port=5000, admin_port=8099, trust="172.30.32.2"
    )


def test_database_and_collection_reach_serve() -> None:
    argv = serve_argv(
        {
            "mongodb_uri": "mongodb://db:27017",
            "mongodb_database": "legacy-db",
            "mongodb_collection": "users",
        }
    )
    args = build_parser().parse_args(argv)
    assert (args.store, args.mongodb_database, args.mongodb_collection) == (
        "mongodb://db:27017",
        "legacy-db",
        "users",
    )


def test_defaults_are_the_old_middlewares_names() -> None:
    args = build_parser().parse_args(serve_argv({"mongodb_uri": "mongodb://db"}))
    assert (args.mongodb_database, args.mongodb_collection) == ("spotify-db", "user")
    assert "--mongodb-database" not in serve_argv({})  # no MongoDB, no names


def test_trusted_proxies_reach_serve() -> None:
    args = build_parser().parse_args(
        serve_argv({"trusted_proxies": ["172.30.32.1", "192.168.1.0/24"]})
    )
    assert [str(network) for network in args.trusted_proxy] == [
        "172.30.32.1/32",
        "192.168.1.0/24",
    ]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"trusted_proxies": "172.30.32.1"}, "trusted_proxies must be a list"),
        ({"trusted_proxies": ["proxy.lan"]}, "'proxy.lan' is not an IP address"),
        ({"mongodb_database": 5}, "mongodb_database must be text"),
    ],
)
def test_bad_options_are_named(options: dict[str, Any], message: str) -> None:
    with pytest.raises(OptionsError, match=message):
        AddonOptions.parse(options)
