"""Memory ArduinoJson 6 needs to parse a document, so v1 bodies fit the old sketch's pool."""

from __future__ import annotations

from typing import Final

# The legacy sketch: StaticJsonDocument<512> on a 32-bit ESP32, deserialised without filter.
LEGACY_POOL_BYTES: Final = 512
# sizeof(VariantSlot) on a 32-bit MCU: every object member and array element costs one.
SLOT_BYTES: Final = 16

type Json = bool | int | float | str | list[Json] | dict[str, Json] | None


def _string_bytes(text: str) -> int:
    # Input from a stream is copied into the pool with its terminating NUL.
    return len(text.encode()) + 1


def pool_bytes(value: Json) -> int:
    """Pool bytes for `value` as the document's root (the root variant is not in the pool).

    Duplicate strings are counted each time, so this is an upper bound.
    """
    if isinstance(value, str):
        return _string_bytes(value)
    if isinstance(value, list):
        return sum(SLOT_BYTES + pool_bytes(item) for item in value)
    if isinstance(value, dict):
        return sum(
            SLOT_BYTES + _string_bytes(key) + pool_bytes(item) for key, item in value.items()
        )
    return 0
