"""A simulated Spotify account, so a newcomer sees every screen without a Spotify account."""

from __future__ import annotations

import time
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from .playback import Playback

if TYPE_CHECKING:
    from collections.abc import Callable

DEMO_UID: Final = "demo"
# Shows off the per-account override table: names whose reading no dictionary knows.
DEMO_OVERRIDES: Final = (("紅蓮華", "Gurenge"), ("米津玄師", "Kenshi Yonezu"))
DEMO_DEVICE: Final = {"name": "Demo speaker", "type": "Speaker", "is_private_session": False}


@dataclass(frozen=True, slots=True)
class DemoScene:
    """One stretch of the demo timeline: an item (or nothing) for `seconds`."""

    seconds: float
    item: dict[str, Any] | None
    playing_type: str = "track"
    is_playing: bool = True
    start_ms: int = 0


def _track(title: str, artists: list[str], album: str, seconds: float) -> DemoScene:
    item = {
        "type": "track",
        "name": title,
        "uri": f"spotify:track:demo{zlib.crc32(title.encode()):08x}",
        "is_local": False,
        "duration_ms": int(seconds * 1000),
        "album": {"name": album},
        "artists": [{"name": name} for name in artists],
    }
    return DemoScene(seconds, item)


# Tracks are demo-length (tens of seconds) so the loop shows every screen in a few minutes.
DEMO_SCENES: Final = (
    _track("Paparazzi", ["Lady Gaga"], "The Fame", 30),
    _track("紅蓮華", ["LiSA"], "LEO-NiNE", 30),
    _track("打上花火", ["DAOKO", "米津玄師"], "打上花火", 25),
    _track("Dynamite", ["방탄소년단"], "Dynamite (DayTime Version)", 25),
    _track("Кукла колдуна", ["Король и Шут"], "Акустический альбом", 25),
    _track("月亮代表我的心", ["鄧麗君"], "淡淡幽情", 25),
    _track("Συννεφιασμένη Κυριακή", ["Βασίλης Τσιτσάνης"], "Τα Ρεμπέτικα", 25),
    _track(
        "Je ne regrette rien (Non, je ne regrette rien) — version longue",
        ["Édith Piaf", "Charles Dumont", "Michel Vaucaire"],
        "La Vie en rose",
        30,
    ),
    DemoScene(
        40,
        {
            "type": "episode",
            "name": "Episode 42: Why your LCD shows ¥ instead of a backslash",
            "uri": "spotify:episode:demo-episode",
            "duration_ms": 40_000,
            "show": {"name": "The Hardware Hour", "publisher": "Spotify LCD"},
        },
        playing_type="episode",
    ),
    DemoScene(15, None, playing_type="ad"),
    DemoScene(
        15,
        _track("Café del Mar", ["Energy 52"], "Café del Mar", 200).item,
        is_playing=False,
        start_ms=81_000,
    ),
    DemoScene(20, None, playing_type="idle"),
)


class DemoPlaybackSource:
    """Plays `DEMO_SCENES` in a loop on the given clock; same JSON path as real Spotify."""

    def __init__(
        self,
        scenes: tuple[DemoScene, ...] = DEMO_SCENES,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Start the loop now."""
        self._scenes = scenes
        self._clock = clock
        self._started = clock()
        self._cycle = sum(scene.seconds for scene in scenes)

    async def fetch_playback(self) -> Playback:
        """What the simulated player holds at this moment."""
        now = self._clock()
        scene, offset = self._scene_at((now - self._started) % self._cycle)
        if scene.playing_type == "idle":
            return Playback.idle(now)
        return Playback.from_spotify(self._state(scene, offset), now)

    def _scene_at(self, offset: float) -> tuple[DemoScene, float]:
        for scene in self._scenes[:-1]:
            if offset < scene.seconds:
                return scene, offset
            offset -= scene.seconds
        return self._scenes[-1], offset

    @staticmethod
    def _state(scene: DemoScene, offset: float) -> dict[str, Any]:
        progress = scene.start_ms + (int(offset * 1000) if scene.is_playing else 0)
        return {
            "device": DEMO_DEVICE,
            "progress_ms": progress,
            "is_playing": scene.is_playing,
            "currently_playing_type": scene.playing_type,
            "item": scene.item,
        }
