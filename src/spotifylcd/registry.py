"""The server's live accounts: one poller each, kept in step with the token store."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .account import Account
from .demo import DEMO_OVERRIDES, DEMO_UID, DemoPlaybackSource
from .exceptions import StoreError
from .poller import Poller, PollPolicy
from .source import PlaybackSource, SpotifyAccountSource
from .status import AccountStatus

if TYPE_CHECKING:
    from .spotify import SpotifyClient
    from .store import TokenStore

_LOGGER = logging.getLogger(__name__)
SYNC_INTERVAL = 30.0


@dataclass(slots=True)
class AccountRuntime:
    """An account as served: its access settings and the poller that feeds its displays."""

    account: Account
    poller: Poller
    source: PlaybackSource
    # The demo account has no secrets to protect: any client may read it without a key.
    public: bool = False

    @property
    def uid(self) -> str:
        """The display's uid."""
        return self.account.uid


@dataclass(slots=True)
class AccountRegistry:
    """Builds a poller per stored account and picks up accounts linked while we run."""

    store: TokenStore
    client: SpotifyClient
    policy: PollPolicy = field(default_factory=PollPolicy)
    demo: bool = False
    sync_interval: float = SYNC_INTERVAL
    store_error: str | None = None
    _runtimes: dict[str, AccountRuntime] = field(default_factory=dict)
    _sync_task: asyncio.Task[None] | None = None

    def get(self, uid: str) -> AccountRuntime | None:
        """The runtime of `uid`, if such an account is served."""
        return self._runtimes.get(uid)

    def runtimes(self) -> list[AccountRuntime]:
        """Every served account, in uid order."""
        return [self._runtimes[uid] for uid in sorted(self._runtimes)]

    async def start(self) -> None:
        """Load the accounts, start their pollers and the background store sync."""
        if self.demo:
            source = DemoPlaybackSource()
            account = Account(uid=DEMO_UID, keyless=True, overrides=dict(DEMO_OVERRIDES))
            self._add(AccountRuntime(account, self._poller(DEMO_UID, source), source, public=True))
        await self.sync()
        self._sync_task = asyncio.create_task(self._sync_forever(), name="spotify-lcd store sync")

    async def stop(self) -> None:
        """Stop the sync and every poller."""
        if self._sync_task is not None:
            self._sync_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sync_task
        await asyncio.gather(*(runtime.poller.stop() for runtime in self._runtimes.values()))
        self._runtimes.clear()

    async def sync(self) -> None:
        """Bring the served accounts in step with the store; keep serving if it is down."""
        try:
            stored = {account.uid: account for account in await self.store.list_accounts()}
        except StoreError as err:
            if self.store_error is None:
                _LOGGER.warning("token store unavailable, serving known accounts: %s", err)
            self.store_error = str(err)
            return
        self.store_error = None
        for uid, account in stored.items():
            runtime = self._runtimes.get(uid)
            if runtime is None or self._relinked(runtime, account):
                if runtime is not None:
                    await runtime.poller.stop()
                source = SpotifyAccountSource(self.client, self.store, account)
                self._add(AccountRuntime(account, self._poller(uid, source), source))
            elif not runtime.public:
                runtime.account = account
                if isinstance(runtime.source, SpotifyAccountSource) and (
                    account.version > runtime.source.account.version
                ):
                    runtime.source.account = account
        for uid in [
            uid for uid, rt in self._runtimes.items() if not rt.public and uid not in stored
        ]:
            await self._runtimes.pop(uid).poller.stop()

    @staticmethod
    def _relinked(runtime: AccountRuntime, account: Account) -> bool:
        if runtime.public:
            return False
        waiting = runtime.poller.snapshot.status is AccountStatus.NEEDS_RELINK
        return (waiting and not account.needs_relink) or (
            account.client_id != runtime.account.client_id
            or account.linked_at != runtime.account.linked_at
        )

    def _poller(self, uid: str, source: PlaybackSource) -> Poller:
        return Poller(source, self.policy, name=uid)

    def _add(self, runtime: AccountRuntime) -> None:
        self._runtimes[runtime.uid] = runtime
        runtime.poller.start()

    async def _sync_forever(self) -> None:
        while True:
            await asyncio.sleep(self.sync_interval)
            await self.sync()
