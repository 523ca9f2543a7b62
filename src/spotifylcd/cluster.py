"""Servers sharing one MongoDB: each account polled by exactly one of them, any one answers.

Every process beats in `<collection>_members`. An account's lease (`<collection>_leases`, one
document per uid) names the process that polls it; that process writes the account's snapshot
there, and the others show it. A process whose beat has not moved for a lease period, as seen
on the reader's own clock, is gone: the others share out its accounts. Displays' demand,
Spotify's Retry-After per app and the bad-key throttle go through MongoDB the same way, and a
change to an account (a new link, a new key) is seen within a beat instead of a full rescan.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import random
import socket
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from pymongo import UpdateOne
from pymongo.errors import DuplicateKeyError

from .exceptions import StoreError
from .snapshot_document import ClockOffset, snapshot_from_document, snapshot_to_document

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine

    from .access import BadKeyThrottle
    from .registry import AccountRegistry
    from .status import Snapshot
    from .store.mongodb import MongoTokenStore

_LOGGER = logging.getLogger(__name__)

type Document = dict[str, Any]

DEFAULT_LEASE_PERIOD: Final = 10.0
# How often a process beats, re-reads the leases and shares its limits: a lease period holds
# ten beats, so a slow beat or two never costs a live process its accounts.
BEATS_PER_LEASE: Final = 10
# How often a process reads the snapshots the others wrote, and writes its own.
FOLLOW_INTERVAL: Final = 0.2
PUBLISH_INTERVAL: Final = 0.05
# Snapshots written this long before the newest one read are read again: writers' clocks
# differ a little, and a write may land after a later-stamped one.
FOLLOW_OVERLAP: Final = 2.0
# A display asking here keeps the poller (elsewhere) awake; telling it this often is enough
# against a demand window of minutes.
DEMAND_STEP: Final = 30.0
# A process silent this many lease periods is removed from the members.
FORGET_AFTER_LEASES: Final = 10


@dataclass(slots=True)
class _Member:
    beat: int
    # When this process last saw the beat change (monotonic).
    changed_at: float


def member_name() -> str:
    """This process among the others: host, pid, and a random part for restarts."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Cluster:
    """This process's part in serving the accounts of one MongoDB store with other processes."""

    def __init__(
        self,
        store: MongoTokenStore,
        registry: AccountRegistry,
        throttle: BadKeyThrottle,
        *,
        lease_period: float = DEFAULT_LEASE_PERIOD,
        name: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        """Share `registry`'s accounts through `store`'s database; nothing runs until `start`."""
        self.store = store
        self.registry = registry
        self.throttle = throttle
        self.lease_period = lease_period
        self.name = name or member_name()
        self._clock = clock
        self._wall = wall
        self._members_collection = store.beside("members")
        self._leases = store.beside("leases")
        self._limits = store.beside("limits")
        self._throttle = store.beside("throttle")
        self._beat = 0
        self._members: dict[str, _Member] = {}
        self._beat_ok_at = -math.inf
        self.led: set[str] = set()
        self._published: dict[str, Snapshot] = {}
        self._adopted: dict[str, float] = {}
        self._follow_horizon = -math.inf
        self._pushed_demand: dict[str, float] = {}
        self._pushed_limits: dict[str, float] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._failing: dict[str, str] = {}

    def leads(self, uid: str) -> bool:
        """Whether this process holds `uid`'s lease, so polls it."""
        return uid in self.led

    def offset(self) -> ClockOffset:
        """This process's monotonic clock against the wall clock, now."""
        return ClockOffset(self._clock(), self._wall())

    async def start(self) -> None:
        """Beat, claim a fair share of the accounts, and keep doing so in the background."""
        await self._guarded("beat", self.beat)
        self._tasks = [
            asyncio.create_task(self._every(self.beat_interval, "beat", self.beat)),
            asyncio.create_task(self._every(FOLLOW_INTERVAL, "follow", self.follow)),
            asyncio.create_task(self._every(PUBLISH_INTERVAL, "publish", self.publish)),
        ]

    async def stop(self) -> None:
        """Stop, and hand the leases back at once so the others need not wait a lease period."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        with contextlib.suppress(StoreError):
            await self.store.call(
                self._leases.update_many({"owner": self.name}, {"$set": {"owner": None}})
            )
            await self.store.call(self._members_collection.delete_one({"_id": self.name}))
        self.led.clear()

    @property
    def beat_interval(self) -> float:
        """Seconds between beats."""
        return self.lease_period / BEATS_PER_LEASE

    async def beat(self) -> None:
        """Say we are alive, see who else is, and take or give back leases to even the load."""
        now = self._clock()
        self._beat += 1
        await self.store.call(
            self._members_collection.update_one(
                {"_id": self.name}, {"$set": {"beat": self._beat}}, upsert=True
            )
        )
        self._beat_ok_at = now
        live = await self._live_members(now)
        await self.registry.sync_versions(await self.store.versions())
        leases: list[Document] = await self.store.call(
            self._leases.find({}, {"owner": True, "wanted": True}).to_list()
        )
        await self._rebalance(leases, live)
        await self._share_demand()
        await self._share_limits()
        await self._share_throttle()

    async def _live_members(self, now: float) -> set[str]:
        documents: list[Document] = await self.store.call(
            self._members_collection.find({}).to_list()
        )
        live = {self.name}
        for document in documents:
            name, beat = str(document["_id"]), int(document.get("beat") or 0)
            member = self._members.get(name)
            if member is None or member.beat != beat:
                # First seen, or moved: alive as of now.
                self._members[name] = member = _Member(beat, now)
            silent = now - member.changed_at
            if silent < self.lease_period:
                live.add(name)
            elif silent > self.lease_period * FORGET_AFTER_LEASES:
                await self.store.call(
                    self._members_collection.delete_one({"_id": name, "beat": beat})
                )
        return live

    async def _rebalance(self, leases: list[Document], live: set[str]) -> None:
        """Keep the leases we hold, take orphaned ones up to a fair share, give back the excess."""
        accounts = {runtime.uid for runtime in self.registry.runtimes() if not runtime.public}
        owners = {str(document["_id"]): document.get("owner") for document in leases}
        mine = {uid for uid, owner in owners.items() if owner == self.name and uid in accounts}
        for uid in self.led - mine:
            _LOGGER.info("%s: another process polls it now", uid)
            await self.registry.follow(uid)
        self.led &= mine
        self._keep_awake(leases, mine)
        share = math.ceil(len(accounts) / len(live)) if accounts else 0
        orphans = [uid for uid in accounts if owners.get(uid) not in live]
        random.shuffle(orphans)
        for uid in orphans:
            if len(mine) >= share:
                break
            if await self._claim(uid, owners.get(uid), missing=uid not in owners):
                mine.add(uid)
        # One over the share is kept: giving back and taking back would go on forever.
        for uid in sorted(mine)[: max(0, len(mine) - share - 1)]:
            await self._release(uid)
            mine.discard(uid)
        taken = sorted(mine - self.led)
        for index, uid in enumerate(taken):
            self.led.add(uid)
            await self.registry.lead(uid, index, len(taken))
        for uid, owner in owners.items():
            if uid not in accounts and owner not in live:
                await self.store.call(self._leases.delete_one({"_id": uid, "owner": owner}))

    def _keep_awake(self, leases: list[Document], mine: set[str]) -> None:
        """Displays asking other processes keep our pollers of their accounts awake."""
        offset = self.offset()
        for document in leases:
            uid, wanted = str(document["_id"]), document.get("wanted")
            runtime = self.registry.get(uid)
            if uid in mine and runtime is not None and isinstance(wanted, int | float):
                runtime.poller.want_until(offset.to_monotonic(float(wanted)))

    async def _claim(self, uid: str, owner: object, *, missing: bool) -> bool:
        try:
            result = await self.store.call(
                self._leases.update_one(
                    {"_id": uid, "owner": owner}, {"$set": {"owner": self.name}}, upsert=missing
                )
            )
        except StoreError as err:
            if isinstance(err.__cause__, DuplicateKeyError):
                return False  # another process created it first
            raise
        if result.matched_count or result.upserted_id is not None:
            _LOGGER.info("%s: polled by this process now", uid)
            return True
        return False

    async def _release(self, uid: str) -> None:
        await self.store.call(
            self._leases.update_one({"_id": uid, "owner": self.name}, {"$set": {"owner": None}})
        )
        self.led.discard(uid)
        await self.registry.follow(uid)

    async def publish(self) -> None:
        """Write the snapshots of the accounts we poll that changed since the last write."""
        writes = []
        offset = self.offset()
        wall = self._wall()
        for uid in self.led:
            runtime = self.registry.get(uid)
            if runtime is None:
                continue
            snapshot = runtime.poller.snapshot
            if self._published.get(uid) is snapshot:
                continue
            self._published[uid] = snapshot
            writes.append(
                UpdateOne(
                    {"_id": uid, "owner": self.name},
                    {"$set": {"snapshot": snapshot_to_document(snapshot, offset), "written": wall}},
                )
            )
        if writes:
            await self.store.call(self._leases.bulk_write(writes, ordered=False))

    async def follow(self) -> None:
        """Show the snapshots other processes wrote for the accounts they poll."""
        documents: list[Document] = await self.store.call(
            self._leases.find(
                {"owner": {"$ne": self.name}, "written": {"$gt": self._follow_horizon}},
                {"snapshot": True, "written": True},
            ).to_list()
        )
        offset = self.offset()
        newest = self._follow_horizon + FOLLOW_OVERLAP
        for document in documents:
            uid, written = str(document["_id"]), float(document["written"])
            newest = max(newest, written)
            runtime = self.registry.get(uid)
            if runtime is None or uid in self.led or written <= self._adopted.get(uid, -math.inf):
                continue
            try:
                snapshot = snapshot_from_document(document["snapshot"], offset)
            except (KeyError, TypeError, ValueError) as err:
                _LOGGER.warning("%s: ignoring a garbled shared snapshot (%s)", uid, err)
                self._adopted[uid] = written
                continue
            await runtime.poller.adopt(snapshot)
            self._adopted[uid] = written
        self._follow_horizon = newest - FOLLOW_OVERLAP

    async def _share_demand(self) -> None:
        """Tell the polling process that displays ask here (a sleeping poller wakes)."""
        now = self._clock()
        offset = self.offset()
        writes = []
        for runtime in self.registry.runtimes():
            uid, wanted = runtime.uid, runtime.poller.wanted_until
            if runtime.public or uid in self.led or wanted <= now:
                continue
            pushed = self._pushed_demand.get(uid, -math.inf)
            if pushed < now or wanted > pushed + DEMAND_STEP:
                self._pushed_demand[uid] = wanted
                writes.append(UpdateOne({"_id": uid}, {"$max": {"wanted": offset.to_wall(wanted)}}))
        if writes:
            await self.store.call(self._leases.bulk_write(writes, ordered=False))

    async def _share_limits(self) -> None:
        """Spotify's Retry-After for an app holds for its accounts in every process."""
        now = self._clock()
        offset = self.offset()
        for client_id, limit in self.registry.app_limits.items():
            if limit.until > now and self._pushed_limits.get(client_id) != limit.until:
                self._pushed_limits[client_id] = limit.until
                await self.store.call(
                    self._limits.update_one(
                        {"_id": client_id},
                        {"$max": {"until": offset.to_wall(limit.until)}},
                        upsert=True,
                    )
                )
        documents: list[Document] = await self.store.call(
            self._limits.find({"until": {"$gt": self._wall()}}).to_list()
        )
        for document in documents:
            until = offset.to_monotonic(float(document["until"]))
            limit = self.registry.app_limit(str(document["_id"]))
            if until > limit.until:
                limit.wait_until(until)
                self._pushed_limits[str(document["_id"])] = limit.until

    async def _share_throttle(self) -> None:
        """Bad keys and unknown uids count across processes, as if one process saw them all."""
        offset = self.offset()
        for (remote, uid), failures in self.throttle.unshared_failures().items():
            await self.store.call(
                self._throttle.update_one(
                    {"_id": f"{self.name}|{remote}|{uid}"},
                    {
                        "$set": {
                            "member": self.name,
                            "remote": remote,
                            "uid": uid,
                            "failures": [offset.to_wall(failure) for failure in failures],
                            "last": offset.to_wall(failures[-1]) if failures else 0.0,
                        }
                    },
                    upsert=True,
                )
            )
        horizon = self._wall() - self.throttle.window
        documents: list[Document] = await self.store.call(
            self._throttle.find({"member": {"$ne": self.name}, "last": {"$gt": horizon}}).to_list()
        )
        for document in documents:
            uid = document.get("uid")
            key = (str(document["remote"]), None if uid is None else str(uid))
            failures = tuple(offset.to_monotonic(float(t)) for t in document["failures"])
            self.throttle.peer_failed(str(document["member"]), key, failures)
        await self.store.call(self._throttle.delete_many({"last": {"$lte": horizon}}))

    async def _every(
        self, interval: float, what: str, step: Callable[[], Coroutine[Any, Any, None]]
    ) -> None:
        while True:
            await asyncio.sleep(interval)
            await self._guarded(what, step)

    async def _guarded(self, what: str, step: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """One step; MongoDB away is logged once, and the accounts we poll keep being polled."""
        try:
            await step()
        except StoreError as err:
            if what not in self._failing:
                _LOGGER.warning("sharing with other processes paused (%s): %s", what, err)
            self._failing[what] = str(err)
            return
        if self._failing.pop(what, None) is not None:
            _LOGGER.info("sharing with other processes resumed (%s)", what)
