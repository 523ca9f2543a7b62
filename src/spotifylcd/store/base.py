"""The contract every token store keeps, so the server and HA can use any of them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Protocol

if TYPE_CHECKING:
    from ..account import Account

# The seed's MongoDB layout (`spotify-db`.`user`), kept so its documents work as they are.
DEFAULT_DATABASE: Final = "spotify-db"
DEFAULT_COLLECTION: Final = "user"


class TokenStore(Protocol):
    """Where accounts and their tokens live between restarts."""

    async def list_accounts(self) -> list[Account]:
        """Every account, in uid order."""
        ...

    async def get(self, uid: str) -> Account:
        """The account called `uid`; raises `AccountNotFoundError`."""
        ...

    async def put(self, account: Account) -> Account:
        """Create or overwrite an account (linking); returns it with its new version."""
        ...

    async def save_if_unchanged(self, account: Account) -> Account:
        """Write `account` only if the stored version still equals `account.version`.

        Returns the account with its new version; raises `StoreConflictError` when another
        writer got there first, so a rotated token is never overwritten by an older one.
        """
        ...

    async def delete(self, uid: str) -> None:
        """Forget an account; raises `AccountNotFoundError`."""
        ...

    async def close(self) -> None:
        """Release connections and files."""
        ...
