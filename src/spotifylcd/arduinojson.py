"""Memory ArduinoJson 6 needs to parse a document, so v1 bodies fit the old sketch's pool.

The legacy sketch parses with `StaticJsonDocument<512>` on a 32-bit ESP32, without a filter,
from a `String` or a `Stream`, so every key and string is copied into the pool. What that
costs has changed across the 6.x releases (read from their sources):

- Every object member and array element is one `VariantSlot`, taken from the pool's right
  end; the root variant lives in the document, not the pool. A slot is the 8-byte variant
  content, a flags byte, the offset of the next slot and the key pointer: 16 bytes with a
  16-bit offset. 6.17.1 made the offset 32-bit outside "embedded mode" (chosen when
  `ARDUINO` is not defined, as in an ESP-IDF build); 6.19.0 made it 16-bit again on every
  32-bit target. A 32-bit offset makes a slot 20 bytes, and 24 once padded to the 8-byte
  alignment the Xtensa ABI gives `double` and `long long` (which that mode also turns on).
- Every copied string takes its bytes plus a NUL terminator from the pool's left end, not
  padded (6.7.0-beta onwards; 6.19.0 moved writing the terminator from the parser into the
  pool, same size).
- 6.16.0 added string deduplication: a string equal to one already in the pool (a key or a
  value) is stored once.

The pre-releases before 6.7.0-beta laid documents out as linked lists and are not modelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

# The legacy sketch: StaticJsonDocument<512> on a 32-bit ESP32, deserialised without filter.
LEGACY_POOL_BYTES: Final = 512

type Json = bool | int | float | str | list[Json] | dict[str, Json] | None


@dataclass(frozen=True, slots=True)
class Release:
    """ArduinoJson 6 releases that hold a parsed document alike in a 32-bit ESP32's pool."""

    versions: str
    slot_bytes: int
    deduplicates: bool


RELEASES: Final = (
    Release("6.7.0-beta to 6.15.2", slot_bytes=16, deduplicates=False),
    Release("6.16.0 to 6.21.5", slot_bytes=16, deduplicates=True),
    Release("6.17.1 to 6.18.5 built without ARDUINO", slot_bytes=24, deduplicates=True),
)


def pool_bytes(value: Json, release: Release) -> int:
    """Pool bytes `release` takes to parse `value` as the document's root."""
    strings: list[str] = []
    slots = _collect(value, strings)
    stored = set(strings) if release.deduplicates else strings
    return slots * release.slot_bytes + sum(len(text.encode()) + 1 for text in stored)


def worst_pool_bytes(value: Json) -> int:
    """The most pool any modelled release takes to parse `value`."""
    return max(pool_bytes(value, release) for release in RELEASES)


def _collect(value: Json, strings: list[str]) -> int:
    """Slots under `value`; its keys and string values are appended to `strings`."""
    if isinstance(value, str):
        strings.append(value)
        return 0
    if isinstance(value, list):
        return sum(1 + _collect(item, strings) for item in value)
    if isinstance(value, dict):
        strings.extend(value)
        return sum(1 + _collect(item, strings) for item in value.values())
    return 0
