"""The server's live accounts: one poller each, kept in step with the token store."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .account import Account
from .demo import DEMO_OVERRIDES, DEMO_UID, DemoPlaybackSource
from .exceptions import AccountNotFoundError, StoreError, StoreUnavailableError
from .payload import BodyCache
from .poller import AppRateLimit, Poller, PollPolicy
from .source import PlaybackSource, SpotifyPlaybackSource
from .status import AccountStatus
from .stored_tokens import StoredTokens

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from .spotify import SpotifyClient
    from .store import TokenStore

_LOGGER = logging.getLogger(__name__)
SYNC_INTERVAL = 30.0
# While the store cannot be read, try again this soon: accounts are served once it answers.
STORE_RETRY_INTERVAL = 1.0
# A forced token refresh and poll ("retry now") at most this often per account.
RETRY_NOW_COOLDOWN = 60.0


@dataclass(slots=True)
class AccountRuntime:
    """An account as served: its access settings and the poller that feeds its displays."""

    account: Account
    poller: Poller
    source: PlaybackSource
    # The stored account's tokens; the demo account has none.
    tokens: StoredTokens | None = None
    # The demo account has no secrets to protect: any client may read it without a key.
    public: bool = False
    # Its displays' bodies, laid out once for what it shows now.
    bodies: BodyCache = field(default_factory=BodyCache)
    _retried_at: float = -math.inf

    @property
    def uid(self) -> str:
        """The display's uid."""
        return self.account.uid

    def retry_wait(self, now: float) -> float:
        """Seconds before `retry_now` may call Spotify: its cooldown, or Spotify's Retry-After."""
        cooldown = self._retried_at + RETRY_NOW_COOLDOWN - now
        rate_limited = self.poller.snapshot.status is AccountStatus.RATE_LIMITED
        due = self.poller.snapshot.next_poll_at if rate_limited else None
        return max(0.0, cooldown, 0.0 if due is None else due - now)

    async def retry_now(self, now: float) -> bool:
        """Refresh the token and poll at once (after a fault cleared); True if refreshed.

        Raises `SpotifyLCDError` when the refresh fails; callers check `retry_wait` first.
        """
        self._retried_at = now
        refreshed = False
        if self.tokens is not None:
            await self.tokens.refresh()
            refreshed = True
        self.poller.poll_soon()
        return refreshed


@dataclass(slots=True)
class AccountRegistry:
    """Builds a poller per stored account and picks up accounts linked while we run."""

    store: TokenStore
    client: SpotifyClient
    policy: PollPolicy = field(default_factory=PollPolicy)
    demo: bool = False
    sync_interval: float = SYNC_INTERVAL
    store_error: str | None = None
    # Which accounts this process polls, when it shares them with others (`Cluster.leads`);
    # None: every account.
    leads: Callable[[str], bool] | None = None
    _runtimes: dict[str, AccountRuntime] = field(default_factory=dict)
    # Spotify rate-limits an app, not a user: one limit per client id, shared by its accounts.
    _app_limits: dict[str, AppRateLimit] = field(default_factory=dict)
    _sync_task: asyncio.Task[None] | None = None

    def get(self, uid: str) -> AccountRuntime | None:
        """The runtime of `uid`, if such an account is served."""
        return self._runtimes.get(uid)

    def runtimes(self) -> list[AccountRuntime]:
        """Every served account, in uid order."""
        return [self._runtimes[uid] for uid in sorted(self._runtimes)]

    @property
    def app_limits(self) -> Mapping[str, AppRateLimit]:
        """Spotify's Retry-After per client id, as this process knows it."""
        return self._app_limits

    def app_limit(self, client_id: str) -> AppRateLimit:
        """The Retry-After every account of `client_id` shares."""
        return self._app_limits.setdefault(client_id, AppRateLimit())

    async def lead(self, uid: str, index: int = 0, count: int = 1) -> None:
        """Poll `uid` from this process (its lease is ours), the `index`-th of `count` at once.

        The first poll comes when the snapshot shown so far is due, never sooner than the
        spread of accounts taken together.
        """
        runtime = self._runtimes.get(uid)
        if runtime is None or runtime.poller.running:
            return
        due = runtime.poller.snapshot.next_poll_at
        wait = 0.0 if due is None else due - time.monotonic()
        runtime.poller.start(max(wait, self.policy.first_poll_delay(index, count)))

    async def follow(self, uid: str) -> None:
        """Stop polling `uid` here: another process holds its lease and shares what it sees."""
        runtime = self._runtimes.get(uid)
        if runtime is not None:
            await runtime.poller.stop()

    async def sync_versions(self, versions: Mapping[str, int]) -> None:
        """Re-read just the accounts whose stored version differs from the one served."""
        served = {uid: rt.account for uid, rt in self._runtimes.items() if not rt.public}
        changed = [
            uid
            for uid, version in versions.items()
            if uid not in served or served[uid].version != version
        ]
        if not changed and served.keys() <= versions.keys():
            return
        accounts = {uid: account for uid, account in served.items() if uid in versions}
        for uid in changed:
            try:
                accounts[uid] = await self.store.get(uid)
            except AccountNotFoundError:
                accounts.pop(uid, None)
        await self._serve([accounts[uid] for uid in sorted(accounts)])

    async def start(self) -> None:
        """Load the accounts, start their pollers and the background store sync.

        A store that answers but cannot be read raises its `StoreError` before anything
        starts, for serving no accounts would hide the fault; one that cannot be reached is
        retried by the sync, as when it goes away later.
        """
        try:
            stored: list[Account] | None = await self.store.list_accounts()
        except StoreUnavailableError as err:
            self._store_failed(err)
            stored = None
        if self.demo:
            source = DemoPlaybackSource()
            account = Account(uid=DEMO_UID, keyless=True, overrides=dict(DEMO_OVERRIDES))
            poller = Poller(source, self.policy, name=DEMO_UID)
            self._runtimes[DEMO_UID] = AccountRuntime(account, poller, source, public=True)
            poller.start()
        if stored is not None:
            await self._serve(stored)
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
            accounts = await self.store.list_accounts()
        except StoreError as err:
            self._store_failed(err)
            return
        await self._serve(accounts)

    async def unlink(self, uid: str) -> None:
        """Forget the account in the store and stop serving it; raises `StoreError`."""
        await self.store.delete(uid)
        runtime = self._runtimes.pop(uid, None)
        if runtime is not None:
            await runtime.poller.stop()

    def _store_failed(self, err: StoreError) -> None:
        if self.store_error is None:
            _LOGGER.warning("token store unavailable, serving known accounts: %s", err)
        self.store_error = str(err)

    async def _serve(self, accounts: list[Account]) -> None:
        """Start, restart, update or stop pollers so exactly `accounts` are served."""
        if self.store_error is not None:
            _LOGGER.info("token store available again; serving %d account(s)", len(accounts))
        self.store_error = None
        stored = {account.uid: account for account in accounts}
        started: list[Poller] = []
        for uid, account in stored.items():
            runtime = self._runtimes.get(uid)
            if runtime is None or self._relinked(runtime, account):
                if runtime is not None:
                    await runtime.poller.stop()
                tokens = StoredTokens(self.client, self.store, account)
                source = SpotifyPlaybackSource(self.client, tokens)
                app_limit = self.app_limit(account.client_id)
                poller = Poller(source, self.policy, name=uid, app_limit=app_limit)
                self._runtimes[uid] = AccountRuntime(account, poller, source, tokens)
                if self.leads is None or self.leads(uid):
                    started.append(poller)
            elif not runtime.public and account != runtime.account:
                # Only a changed account is replaced: its bodies are laid out anew for it. Not
                # by version alone: the old middleware writes documents without one.
                runtime.account = account
                if runtime.tokens is not None and account.version > runtime.tokens.account.version:
                    runtime.tokens.account = account
        for uid in [
            uid for uid, rt in self._runtimes.items() if not rt.public and uid not in stored
        ]:
            await self._runtimes.pop(uid).poller.stop()
        # Accounts starting together (the server's start, a store back) do not poll as a herd.
        for index, poller in enumerate(started):
            poller.start(self.policy.first_poll_delay(index, len(started)))

    @staticmethod
    def _relinked(runtime: AccountRuntime, account: Account) -> bool:
        if runtime.public:
            return False
        waiting = runtime.poller.snapshot.status is AccountStatus.NEEDS_RELINK
        return (waiting and not account.needs_relink) or (
            account.client_id != runtime.account.client_id
            or account.linked_at != runtime.account.linked_at
        )

    async def _sync_forever(self) -> None:
        while True:
            interval = self.sync_interval if self.store_error is None else STORE_RETRY_INTERVAL
            await asyncio.sleep(interval)
            await self.sync()
