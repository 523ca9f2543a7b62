"""The largest `/get` bodies over the hostile tracks (tests/hostile_tracks.py), against budgets.

v1: the most pool each modelled ArduinoJson 6 release takes to parse a v1 body, against the
legacy sketch's 512-byte pool and the server's budget under it. v2: the longest body, as
`contract.get_body` sends it, per ROM and size, against the firmware's 1000-byte read.
Every hostile text, in every Playback kind and account state, with the largest numbers.

Run: .venv/bin/python bench/payload_sizes.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.hostile_tracks import HOSTILE_TEXTS, KINDS, every_state, spotify_state

from spotifylcd.account import Account
from spotifylcd.arduinojson import LEGACY_POOL_BYTES, RELEASES, pool_bytes
from spotifylcd.contract import GetRequest, get_body
from spotifylcd.hd44780.rom import Rom
from spotifylcd.payload import (
    FIRMWARE_ANSWER_BYTES,
    LEGACY_BUDGET_BYTES,
    V2_BUDGET_BYTES,
    BodyCache,
    v1_payload,
)
from spotifylcd.screen import SIZES
from spotifylcd.status import Snapshot

NOW = 10.0


def cases() -> list[tuple[str, Snapshot]]:
    """(label, snapshot) for every hostile text, kind and account state."""
    return [
        (f"{name} / {kind} / {state}", snapshot)
        for name, text in HOSTILE_TEXTS.items()
        for kind in KINDS
        for state, snapshot in every_state(spotify_state(text, kind)).items()
    ]


def main() -> None:
    snapshots = cases()
    print(f"{len(snapshots)} hostile cases ({len(HOSTILE_TEXTS)} texts x kinds x states)\n")
    print(
        f"v1: ArduinoJson pool used, of {LEGACY_POOL_BYTES} (server budget {LEGACY_BUDGET_BYTES})"
    )
    bodies = [(label, v1_payload(snapshot, NOW)) for label, snapshot in snapshots]
    for release in RELEASES:
        used, label = max((pool_bytes(body, release), label) for label, body in bodies)
        print(f"  {release.versions:<42} worst {used:>4}  ({label})")
    print(f"\nv2: body bytes, of {FIRMWARE_ANSWER_BYTES} (server budget {V2_BUDGET_BYTES})")
    account = Account(uid="bench")
    for rom in Rom:
        for size in SIZES:
            request = GetRequest(account.uid, None, "2", rom, size)
            length, label = max(
                (len(get_body(request, account, snapshot, NOW, BodyCache())), label)
                for label, snapshot in snapshots
            )
            print(f"  {rom.value:<5} {size}  worst {length:>4}  ({label})")


if __name__ == "__main__":
    main()
