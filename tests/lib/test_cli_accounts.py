"""`spotify-lcd accounts` and `unlink`, and the MongoDB database and collection options."""

from __future__ import annotations

from pathlib import Path

import pytest

from spotifylcd.account import Account
from spotifylcd.spotify import SCOPES
from spotifylcd.store import FileTokenStore, MongoTokenStore
from tests.lib.test_cli import spotify_lcd


async def test_accounts_lists_every_account_without_secrets(
    tmp_path: Path, linked_account: Account
) -> None:
    store = FileTokenStore(tmp_path)
    await store.put(linked_account.with_changes(scopes=" ".join(SCOPES)))
    # Linked before controls existed: shown, and told how to get them.
    await store.put(Account(uid="legacy", keyless=True, needs_relink=True, rom="A02", size="20x4"))
    code, out, err = await spotify_lcd("accounts", "--store", str(tmp_path))
    assert code == 0, err
    assert out.splitlines() == [
        "uid         access      spotify user  display   state          controls",
        "legacy      keyless     -             A02 20x4  needs re-link  re-link to enable controls",
        "livingroom  device key  wizzler       A00 16x2  linked         yes",
    ]
    for secret in ("k3y-livingroom", "access-0", "refresh-0", "test-client-secret"):
        assert secret not in out
    code, out, _ = await spotify_lcd("accounts", "--store", str(tmp_path), "--show-keys")
    assert "device key" in out.splitlines()[0]
    assert "k3y-livingroom" in out


async def test_accounts_of_an_empty_store(tmp_path: Path) -> None:
    code, out, _ = await spotify_lcd("accounts", "--store", str(tmp_path))
    assert (code, out) == (0, "No account is linked; add one with spotify-lcd link --uid NAME.\n")


async def test_unlink_forgets_the_account(tmp_path: Path, linked_account: Account) -> None:
    store = FileTokenStore(tmp_path)
    await store.put(linked_account)
    await store.put(linked_account.with_changes(uid="kitchen"))
    code, out, err = await spotify_lcd("unlink", "--uid", "livingroom", "--store", str(tmp_path))
    assert code == 0, err
    assert "Unlinked 'livingroom'" in out
    assert "spotify.com/account/apps" in out
    assert [account.uid for account in await store.list_accounts()] == ["kitchen"]
    assert not store.record_path("livingroom").exists()


async def test_unlink_of_an_unknown_account_is_one_line(tmp_path: Path) -> None:
    code, out, err = await spotify_lcd("unlink", "--uid", "ghost", "--store", str(tmp_path))
    assert (code, out) == (2, "")
    assert err == (
        "spotify-lcd: error: no account called 'ghost'; "
        "check --uid and --store, or link the account first\n"
    )


@pytest.mark.mongodb
async def test_database_and_collection_are_selectable(
    mongodb_server: str, mongodb_database: str, linked_account: Account
) -> None:
    store = MongoTokenStore(mongodb_server, mongodb_database, "displays")
    try:
        await store.put(linked_account)
        options = (
            "--store",
            mongodb_server,
            "--mongodb-database",
            mongodb_database,
            "--mongodb-collection",
            "displays",
        )
        code, out, err = await spotify_lcd("accounts", *options)
        assert code == 0, err
        assert "livingroom" in out
        code, out, _ = await spotify_lcd("accounts", "--store", mongodb_server)
        assert "livingroom" not in out  # the default spotify-db.user holds no such account
        code, _, err = await spotify_lcd("unlink", "--uid", "livingroom", *options)
        assert code == 0, err
        assert await store.list_accounts() == []
    finally:
        await store.close()


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--mongodb-database", "spotify.db", "is not a MongoDB database name"),
        ("--mongodb-database", "", "is not a MongoDB database name"),
        ("--mongodb-collection", "system.users", "is not a MongoDB collection name"),
        ("--mongodb-collection", "a$b", "is not a MongoDB collection name"),
        ("--trusted-proxy", "10.0.0.0/33", "is not an IP address or network"),
    ],
)
async def test_bad_names_are_refused_in_one_line(option: str, value: str, message: str) -> None:
    command = "serve" if option == "--trusted-proxy" else "accounts"
    code, _, err = await spotify_lcd(command, option, value)
    assert code == 2
    assert message in err
    assert len(err.splitlines()) == 1
