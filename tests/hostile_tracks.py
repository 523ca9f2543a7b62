"""Hostile tracks for the `/get` size budgets: Spotify's worst, in every account state.

Shared by the budget tests (tests/lib/test_payload_budgets.py) and bench/payload_sizes.py.
"""

from __future__ import annotations

from typing import Any, Final

from spotifylcd.playback import Playback
from spotifylcd.status import AccountStatus, Snapshot

# Larger than any number the server sends (it clamps to 2**31 - 1).
HUGE_MS: Final = 2**62

EVERY_SCRIPT: Final = (
    "Zoë Ærø Łódź Ñandú ß "  # Latin with accents, ligatures, stroke
    "Ελληνικά Ψ Ω "  # Greek
    "Кукла колдуна Ґ Ї "  # Cyrillic (Russian, Ukrainian)
    "עברית العربية "  # right to left
    "हिन्दी தமிழ் ไทย "  # Indic and Thai, with vowel signs
    "夜に駆ける 米津玄師 月亮代表我的心 "  # kana, Han
    "ｶﾀｶﾅ 한국어 "  # half-width katakana, Hangul
    "ᚠᛇᚻ ⠃⠗⠁ 𝔘𝔫𝔦 "  # runes, braille, mathematical letters (astral plane)
)

HOSTILE_TEXTS: Final = {
    "400 ASCII letters": "A" * 400,
    "èàê x40": "èàê" * 40,
    "every script x4": EVERY_SCRIPT * 4,
    "emoji only": "🔥😀🎵👍🏽👨‍👩‍👧🇯🇵" * 30,
    "combining marks": ("e" + "\u0301\u0308\u0323\u036f" * 20) * 5,
    "control characters": "".join(map(chr, range(32))) * 10 + "\x7f\x85\u2028",
    "quotes and backslashes": '"\\' * 200,
    "tildes and yen": "~\\¥→" * 100,
    "Greek capitals A02 lacks": "ΣΨΩΔΘΛΞΠΦ" * 40,
    "accented capitals A00 lacks": "ÉÈÀÙÇÖÜÑ" * 50,
    "half-width katakana": "ｱｲｳｴｵ" * 80,
    "Hangul": "방탄소년단" * 80,
    "Latin-1 symbols": "".join(map(chr, range(0xA0, 0x100))) * 4,
    "private use and unassigned": "\ue000\uf8ff\U000f0000\U0010fffd" * 100,
    "one long word": "Supercalifragilisticexpialidocious" * 12,
}


def spotify_state(text: str, kind: str = "track", *, artists: int = 3) -> dict[str, Any]:
    """A Spotify playback body with `text` in every field and the largest numbers."""
    return {
        "device": {"name": text, "is_private_session": False},
        "progress_ms": HUGE_MS,
        "is_playing": True,
        "currently_playing_type": kind,
        "item": {
            "type": kind,
            "name": text,
            "duration_ms": HUGE_MS,
            "artists": [{"name": f"{text} {n}"} for n in range(artists)],
            "album": {"name": text},
            "show": {"name": text},
        },
    }


def every_state(state: dict[str, Any]) -> dict[str, Snapshot]:
    """Snapshots of every account state, those with a playback holding `state`'s."""
    playing = Playback.from_spotify(state, fetched_at=0.0)
    paused = Playback.from_spotify({**state, "is_playing": False}, fetched_at=0.0)
    return {
        "playing": Snapshot(AccountStatus.OK, playing, next_poll_at=HUGE_MS),
        "paused": Snapshot(AccountStatus.OK, paused, next_poll_at=None),
        "stale": Snapshot(AccountStatus.STALE, playing, next_poll_at=HUGE_MS),
        "rate limited": Snapshot(AccountStatus.RATE_LIMITED, paused, next_poll_at=HUGE_MS),
        "relink": Snapshot(AccountStatus.NEEDS_RELINK, playing),
        "forbidden": Snapshot(AccountStatus.FORBIDDEN, playing, next_poll_at=HUGE_MS),
        "idle": Snapshot(AccountStatus.OK, Playback.idle(0.0), next_poll_at=HUGE_MS),
        "offline": Snapshot(AccountStatus.STALE, None, next_poll_at=HUGE_MS),
        "starting": Snapshot(AccountStatus.STARTING, None, next_poll_at=0.0),
    }


KINDS: Final = ("track", "episode", "ad", "unknown")
