"""The demo account shows every kind of screen within one loop."""

from __future__ import annotations

from spotifylcd.demo import DEMO_SCENES, DemoPlaybackSource
from spotifylcd.playback import PlaybackKind
from tests.lib.conftest import FakeClock


async def test_one_loop_walks_through_every_kind_and_script(clock: FakeClock) -> None:
    source = DemoPlaybackSource(clock=clock)
    seen = []
    cycle = sum(scene.seconds for scene in DEMO_SCENES)
    for _ in range(int(cycle)):
        seen.append(await source.fetch_playback())
        clock.advance(1.0)
    kinds = {playback.kind for playback in seen}
    assert kinds == {PlaybackKind.TRACK, PlaybackKind.EPISODE, PlaybackKind.AD, PlaybackKind.IDLE}
    assert any(p.kind is PlaybackKind.TRACK and not p.is_playing for p in seen)
    titles = "".join(p.title for p in seen)
    for sample in ("紅蓮華", "Кукла", "Dynamite", "月亮", "Συννεφιασμένη", "regrette"):
        assert sample in titles
    # Progress moves with the clock while playing, and the loop starts over.
    first = seen[0]
    assert (first.title, first.progress_ms, seen[1].progress_ms) == ("Paparazzi", 0, 1000)
    assert (await source.fetch_playback()).title == "Paparazzi"
