"""An account's cached `/get` bodies are byte for byte the payloads, and follow what it shows."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from spotifylcd import payload
from spotifylcd.account import Account
from spotifylcd.contract import GetRequest, get_body
from spotifylcd.hd44780.rom import Rom
from spotifylcd.payload import BodyCache, BodyTemplate, json_body, v1_payload, v2_payload
from spotifylcd.playback import Playback
from spotifylcd.status import AccountStatus, Snapshot
from tests.hostile_tracks import HOSTILE_TEXTS, KINDS, every_state, spotify_state

ACCOUNT = Account(uid="bodies", rom="A02", size="20x4")
REQUESTS = [
    GetRequest(ACCOUNT.uid, None, "1", None, None),
    GetRequest(ACCOUNT.uid, None, "2", None, None),
    GetRequest(ACCOUNT.uid, None, "2", Rom.A00, "16x2"),
    GetRequest(ACCOUNT.uid, None, "2", Rom.ASCII, "20x2"),
]
# Before the start, mid-item, past the end, and past the v1 stale grace.
TIMES = [-5.0, 0.0, 1.5, 61.0, 10**7]
# Titles that hold what the template itself is made of: %, quotes, a key and its mark.
TRICKY = {
    "percent signs": "100% %d %s %%",
    "a key in a title": '"timer":-4611686018427387904 "progress":1',
    **HOSTILE_TEXTS,
}


def expected(request: GetRequest, snapshot: Snapshot, now: float) -> bytes:
    if request.version == "1":
        return json_body(
            v1_payload(snapshot, now, ACCOUNT.text_settings()), ensure_ascii=True
        ).encode()
    display = ACCOUNT.display_settings(request.rom, request.size)
    return json_body(v2_payload(snapshot, now, display)).encode()


def playing(title: str, *, progress_ms: int = 1000, fetched_at: float = 0.0) -> Snapshot:
    state: dict[str, Any] = {**spotify_state(title, artists=2), "progress_ms": progress_ms}
    state["item"] = {**state["item"], "duration_ms": 180_000}
    return Snapshot(
        AccountStatus.OK, Playback.from_spotify(state, fetched_at), next_poll_at=fetched_at + 5
    )


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("text", list(TRICKY.values()), ids=list(TRICKY))
def test_bodies_are_the_payloads_in_every_state(text: str, kind: str) -> None:
    bodies = BodyCache()
    for snapshot in every_state(spotify_state(text, kind)).values():
        for now in TIMES:
            for request in REQUESTS:
                assert get_body(request, ACCOUNT, snapshot, now, bodies) == expected(
                    request, snapshot, now
                )


def test_a_template_leaves_only_its_numbers_open() -> None:
    template = BodyTemplate.of(
        {"title": '50% of "a":1', "a": 1, "b": True}, ("a",), ensure_ascii=False
    )
    assert template.fill((42,)) == b'{"title":"50% of \\"a\\":1","a":42,"b":true}'


def test_a_template_takes_its_numbers_in_the_payload_order() -> None:
    with pytest.raises(ValueError, match="order"):
        BodyTemplate.of({"a": 1, "b": 2}, ("b", "a"), ensure_ascii=False)


def test_the_same_item_is_laid_out_once(monkeypatch: pytest.MonkeyPatch) -> None:
    layouts: list[Snapshot] = []
    screen_of = payload._v2_screen_of

    def counted(snapshot: Snapshot, *args: Any) -> Any:
        layouts.append(snapshot)
        return screen_of(snapshot, *args)

    monkeypatch.setattr(payload, "_v2_screen_of", counted)
    bodies = BodyCache()
    request = REQUESTS[1]
    # Three polls of one track (progress moving with the clock), then the next track.
    asked = [
        (playing("Paparazzi", progress_ms=1000 + 5000 * n, fetched_at=5.0 * n), 5.0 * n + 0.5)
        for n in range(3)
    ]
    answers = [get_body(request, ACCOUNT, snapshot, now, bodies) for snapshot, now in asked]
    assert len(layouts) == 1
    asked.append((playing("Judas", fetched_at=15.0), 16.0))
    answers.append(get_body(request, ACCOUNT, *asked[-1], bodies))
    assert len(layouts) == 2
    assert answers == [expected(request, snapshot, now) for snapshot, now in asked]


def test_new_settings_lay_the_body_out_again() -> None:
    bodies = BodyCache()
    snapshot = playing("Paparazzi")
    request = REQUESTS[1]
    before = get_body(request, ACCOUNT, snapshot, 1.0, bodies)
    narrower = dataclasses.replace(ACCOUNT, size="16x2")
    after = get_body(request, narrower, snapshot, 1.0, bodies)
    assert b'"cols":20' in before
    assert b'"cols":16' in after
