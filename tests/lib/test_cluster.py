"""Several servers on one MongoDB: one poller per account, any server answers, none waits.

Each "process" here is what `spotify-lcd serve` builds (its own MongoDB client, registry,
throttle and `Cluster`), three of them in one event loop against a real MongoDB server and
the fake Spotify; `bench/scale.py --processes 3` runs real processes behind a balancer.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from spotifylcd.access import BadKeyThrottle
from spotifylcd.account import Account
from spotifylcd.cluster import Cluster
from spotifylcd.contract import GetRequest, get_body
from spotifylcd.playback import Playback, PlaybackKind
from spotifylcd.poller import PollPolicy
from spotifylcd.registry import AccountRegistry
from spotifylcd.snapshot_document import (
    ClockOffset,
    snapshot_from_document,
    snapshot_to_document,
)
from spotifylcd.spotify import SpotifyClient
from spotifylcd.status import AccountStatus, Snapshot
from spotifylcd.store import MongoTokenStore
from tests.fake_spotify import CLIENT_ID, CLIENT_SECRET, FakeSpotify, Reply, track_playing
from tests.lib.test_poller import eventually

pytestmark = pytest.mark.mongodb

LEASE = 1.0
POLICY = PollPolicy(
    playing_interval=0.5, paused_interval=0.5, idle_interval=0.5, demand_window=60, jitter=0
)
UIDS = [f"room{index}" for index in range(6)]


@dataclass
class Process:
    """What one `spotify-lcd serve` on a MongoDB store runs."""

    store: MongoTokenStore
    registry: AccountRegistry
    throttle: BadKeyThrottle
    cluster: Cluster

    async def stop(self) -> None:
        await self.cluster.stop()
        await self.registry.stop()
        await self.store.close()

    async def crash(self) -> None:
        """Gone without a word: no lease handed back, no member removed."""
        for task in self.cluster._tasks:
            task.cancel()
        await self.registry.stop()
        await self.store.close()


def account(uid: str) -> Account:
    return Account(
        uid=uid,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        access_token=f"access-{uid}",
        refresh_token=f"refresh-{uid}",
        expires_at=time.time() + 3600,
        device_key=f"key-{uid}",
    )


@pytest.fixture
async def linked(
    mongodb_server: str, mongodb_database: str, fake_spotify: tuple[FakeSpotify, object]
) -> FakeSpotify:
    fake = fake_spotify[0]
    fake.player_default = Reply(200, track_playing("Shared Song", 10, 200))
    fake.valid_access_tokens |= {f"access-{uid}" for uid in UIDS}
    store = MongoTokenStore(mongodb_server, mongodb_database)
    for uid in UIDS:
        await store.put(account(uid))
    await store.close()
    return fake


async def start_process(
    uri: str, database: str, client: SpotifyClient, name: str, policy: PollPolicy = POLICY
) -> Process:
    store = MongoTokenStore(uri, database)
    registry = AccountRegistry(store, client, policy)
    throttle = BadKeyThrottle(limit=10)
    cluster = Cluster(store, registry, throttle, lease_period=LEASE, name=name)
    registry.leads = cluster.leads
    await registry.start()
    await cluster.start()
    return Process(store, registry, throttle, cluster)


@pytest.fixture
async def processes(
    linked: FakeSpotify, mongodb_server: str, mongodb_database: str, spotify_client: SpotifyClient
) -> AsyncIterator[list[Process]]:
    started = [
        await start_process(mongodb_server, mongodb_database, spotify_client, f"p{index}")
        for index in range(3)
    ]
    yield started
    for process in started:
        await process.stop()


def owners(processes: list[Process]) -> dict[str, list[str]]:
    """Which processes poll each account."""
    polled: dict[str, list[str]] = {uid: [] for uid in UIDS}
    for process in processes:
        for runtime in process.registry.runtimes():
            if runtime.poller.running:
                polled[runtime.uid].append(process.cluster.name)
    return polled


def shared_out(processes: list[Process]) -> bool:
    polled = owners(processes)
    # A process keeps one account over its share rather than hand leases back and forth.
    most = -(-len(UIDS) // len(processes)) + 1
    return all(len(names) == 1 for names in polled.values()) and all(
        len(process.cluster.led) <= most for process in processes
    )


async def test_each_account_is_polled_by_exactly_one_process(
    processes: list[Process], linked: FakeSpotify
) -> None:
    await eventually(lambda: shared_out(processes), timeout=10)
    assert sorted(uid for p in processes for uid in p.cluster.led) == UIDS
    # Displays ask one process only; each account's poller, wherever it runs, keeps polling.
    for runtime in processes[2].registry.runtimes():
        runtime.poller.demand()
    linked.access_tokens_seen.clear()
    await asyncio.sleep(2.0)
    calls = Counter(linked.access_tokens_seen)
    assert shared_out(processes)
    assert all(calls[f"access-{uid}"] <= 2.0 / POLICY.playing_interval + 2 for uid in UIDS), calls
    assert all(calls[f"access-{uid}"] >= 1 for uid in UIDS), calls


async def test_every_process_answers_what_the_polling_one_sees(
    processes: list[Process],
) -> None:
    def everyone_sees_the_song() -> bool:
        return all(
            (rt.poller.snapshot.playback or Playback.idle(0)).title == "Shared Song"
            for process in processes
            for rt in process.registry.runtimes()
        )

    await eventually(everyone_sees_the_song, timeout=10)
    request = GetRequest("room0", "key-room0", "2", None, None)
    now = time.monotonic()
    bodies = {
        get_body(request, rt.account, rt.poller.snapshot, now, rt.bodies)
        for process in processes
        if (rt := process.registry.get("room0")) is not None
    }
    # Progress from the same fetch, converted through the wall clock: at most 1 ms apart.
    assert len({body.split(b'"progress"')[0] for body in bodies}) == 1


async def test_a_crashed_process_accounts_are_polled_again_within_a_lease_period(
    processes: list[Process], linked: FakeSpotify
) -> None:
    await eventually(lambda: shared_out(processes), timeout=10)
    crashed, survivors = processes[0], processes[1:]
    orphaned = set(crashed.cluster.led)
    assert orphaned
    for runtime in survivors[0].registry.runtimes():
        runtime.poller.demand()
    await crashed.crash()
    crashed.cluster.led.clear()
    await eventually(lambda: shared_out(survivors), timeout=LEASE * 4)
    assert orphaned <= {uid for p in survivors for uid in p.cluster.led}
    # Served throughout from the last shared snapshot: never "starting", never an error.
    for process in survivors:
        for uid in orphaned:
            served = process.registry.get(uid)
            assert served is not None
            assert served.poller.snapshot.status is AccountStatus.OK
    linked.access_tokens_seen.clear()
    await eventually(
        lambda: all(f"access-{uid}" in linked.access_tokens_seen for uid in orphaned), timeout=3
    )
    processes.remove(crashed)


async def test_a_process_joining_later_takes_its_share(
    linked: FakeSpotify, mongodb_server: str, mongodb_database: str, spotify_client: SpotifyClient
) -> None:
    first = await start_process(mongodb_server, mongodb_database, spotify_client, "first")
    try:
        await eventually(lambda: len(first.cluster.led) == len(UIDS), timeout=5)
        second = await start_process(mongodb_server, mongodb_database, spotify_client, "second")
        try:
            both = [first, second]
            await eventually(
                lambda: shared_out(both) and len(second.cluster.led) >= 2, timeout=LEASE * 5
            )
        finally:
            await second.stop()
        # Handed back on a clean stop: taken at the next beat, not after a lease period.
        await eventually(lambda: len(first.cluster.led) == len(UIDS), timeout=LEASE * 0.5 + 1)
    finally:
        await first.stop()


async def test_a_new_link_and_a_new_key_are_seen_within_a_beat(
    processes: list[Process], linked: FakeSpotify
) -> None:
    writer = processes[0].store
    linked.valid_access_tokens.add("access-kitchen")
    await writer.put(account("kitchen"))
    await eventually(
        lambda: all(p.registry.get("kitchen") is not None for p in processes), timeout=LEASE * 3
    )
    changed = (await writer.get("room1")).with_changes(device_key="new-key")
    await writer.put(changed)

    def new_key_everywhere() -> bool:
        runtimes = [p.registry.get("room1") for p in processes]
        return all(rt is not None and rt.account.device_key == "new-key" for rt in runtimes)

    await eventually(new_key_everywhere, timeout=LEASE * 3)
    await writer.delete("room2")
    await eventually(
        lambda: all(p.registry.get("room2") is None for p in processes), timeout=LEASE * 3
    )


async def test_spotify_retry_after_holds_the_app_in_every_process(
    processes: list[Process], linked: FakeSpotify
) -> None:
    await eventually(lambda: shared_out(processes), timeout=10)
    for runtime in processes[0].registry.runtimes():
        runtime.poller.demand()
    linked.player_queue.append(Reply(429, headers={"Retry-After": "30"}))
    now = time.monotonic()
    await eventually(
        lambda: all(p.registry.app_limit(CLIENT_ID).until > now + 20 for p in processes),
        timeout=LEASE * 3,
    )
    linked.access_tokens_seen.clear()
    await asyncio.sleep(LEASE)
    assert linked.access_tokens_seen == []


async def test_bad_keys_count_across_processes(processes: list[Process]) -> None:
    remote = "192.0.2.7"
    for process in processes:
        for _ in range(4):
            process.throttle.record_failure(remote, "room0")
    # 4 each is under the limit of 10 in any one process; 12 together are over it.
    await eventually(
        lambda: all(p.throttle.retry_after(remote, "room0") > 0 for p in processes),
        timeout=LEASE * 3,
    )
    assert all(p.throttle.retry_after(remote, "room1") == 0 for p in processes)


async def test_a_display_asking_another_process_wakes_the_poller(
    linked: FakeSpotify, mongodb_server: str, mongodb_database: str, spotify_client: SpotifyClient
) -> None:
    sleepy = PollPolicy(
        playing_interval=0.2, paused_interval=0.2, idle_interval=0.2, demand_window=0.5, jitter=0
    )
    started = [
        await start_process(mongodb_server, mongodb_database, spotify_client, name, sleepy)
        for name in ("a", "b")
    ]
    try:
        await eventually(lambda: shared_out(started), timeout=10)
        leader, follower = started
        uid = min(leader.cluster.led)
        leader_runtime = leader.registry.get(uid)
        follower_runtime = follower.registry.get(uid)
        assert leader_runtime is not None
        assert follower_runtime is not None
        # Nobody asked: the poller went to sleep, and the follower shows that too.
        await eventually(lambda: follower_runtime.poller.snapshot.asleep, timeout=5)
        follower_runtime.poller.demand()
        await eventually(lambda: not leader_runtime.poller.snapshot.asleep, timeout=LEASE * 3)
        await eventually(
            lambda: (
                follower_runtime.poller.snapshot.status is AccountStatus.OK
                and not follower_runtime.poller.snapshot.asleep
            ),
            timeout=LEASE * 3,
        )
    finally:
        for process in started:
            await process.stop()


@pytest.mark.parametrize(
    "snapshot",
    [
        Snapshot(AccountStatus.STARTING, next_poll_at=5.0),
        Snapshot(AccountStatus.NEEDS_RELINK, error="invalid_grant", polled_at=3.0),
        Snapshot(
            AccountStatus.STALE,
            Playback(
                PlaybackKind.TRACK,
                fetched_at=2.5,
                title="夜に駆ける",
                artists=("YOASOBI", "Ayase"),
                album="THE BOOK",
                device_name="Kitchen",
                is_playing=True,
                progress_ms=1234,
                duration_ms=261_000,
                item_uri="spotify:track:x",
                volume_percent=40,
                artist_ids=("a1",),
                genres=("j-pop",),
                raw_type="track",
            ),
            error="timeout",
            next_poll_at=9.0,
            polled_at=2.6,
            asleep=True,
        ),
    ],
    ids=["starting", "relink", "stale-track"],
)
def test_a_snapshot_reads_back_as_written(snapshot: Snapshot) -> None:
    writer, reader = ClockOffset(100.0, 1_700_000_000.0), ClockOffset(7.0, 1_700_000_000.0)
    document = snapshot_to_document(snapshot, writer)
    read = snapshot_from_document(document, reader)
    # The reader's monotonic clock starts 93 s later: the same wall time, 93 s earlier here.
    shifted = snapshot_to_document(read, ClockOffset(7.0, 1_700_000_000.0))
    assert shifted == document
    assert read.next_poll_at == (
        None if snapshot.next_poll_at is None else snapshot.next_poll_at - 93
    )


@pytest.mark.parametrize(
    "document",
    [
        {},
        {"status": "nonsense"},
        {"status": "ok", "polled_at": "yesterday"},
        {"status": "ok", "playback": {"kind": "track"}},
    ],
)
def test_a_garbled_snapshot_is_refused(document: dict[str, object]) -> None:
    with pytest.raises((KeyError, TypeError, ValueError)):
        snapshot_from_document(document, ClockOffset(0.0, 0.0))
