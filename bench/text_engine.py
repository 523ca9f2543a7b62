"""Transliteration + HD44780 encoding: cost per track (cold, cached) and quality.

Cost: each track of the test set through `track_text` for the A00 ROM plus a full v2 payload,
first with the per-track cache cleared (cold), then again (cached); baseline: plain anyascii
on the same strings, in the same run.

Quality: our ASCII output against plain anyascii and unidecode, compared with a reference
reading written by a person (Hepburn for Japanese, pinyin for Chinese, Revised Romanization
for Korean, common transliterations otherwise), letters only, case-insensitive.

Run: .venv/bin/python bench/text_engine.py
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from anyascii import anyascii
from unidecode import unidecode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from spotifylcd.payload import v2_payload
from spotifylcd.playback import Playback
from spotifylcd.settings import DisplaySettings
from spotifylcd.status import AccountStatus, Snapshot
from spotifylcd.text import TextSettings, track_text

JP = TextSettings(country="JP")
# (source, reference reading, settings the account would have)
REFERENCE = [
    ("夜に駆ける", "Yoru ni Kakeru", JP),
    ("打上花火", "Uchiage Hanabi", JP),
    ("残酷な天使のテーゼ", "Zankoku na Tenshi no Teze", JP),
    ("千本桜", "Senbonzakura", JP),
    ("天体観測", "Tentai Kansoku", JP),
    ("マリーゴールド", "Marigorudo", JP),
    ("あいみょん", "Aimyon", JP),
    ("米津玄師", "Yonezu Kenshi", JP),
    ("紅蓮華", "Gurenge", JP),
    ("東京", "Tokyo", JP),
    ("月亮代表我的心", "Yue Liang Dai Biao Wo De Xin", TextSettings()),
    ("鄧麗君", "Deng Li Jun", TextSettings()),
    ("周杰倫", "Zhou Jie Lun", TextSettings()),
    ("长大", "Zhang Da", TextSettings()),
    ("银行", "Yin Hang", TextSettings()),
    ("방탄소년단", "Bangtansonyeondan", TextSettings()),
    ("좋은 날", "Joeun Nal", TextSettings()),
    ("사랑을 했다", "Sarangeul Haetda", TextSettings()),
    ("Кукла колдуна", "Kukla kolduna", TextSettings()),
    ("Король и Шут", "Korol i Shut", TextSettings()),
    ("Συννεφιασμένη Κυριακή", "Synnefiasmeni Kyriaki", TextSettings()),
    ("Sơn Tùng M-TP", "Son Tung M-TP", TextSettings()),
    ("Beyoncé", "Beyonce", TextSettings()),
    ("😀 Song ✨", "Song", TextSettings()),
]


def letters(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def ours(source: str, settings: TextSettings) -> str:
    return track_text(source, (), "", settings, None).title


def timed(function: Callable[[], None], rounds: int) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        function()
    return (time.perf_counter() - started) / rounds


def main() -> None:
    ours("東京", JP)  # load the dictionaries once, outside the measurement
    sources = [(source, settings) for source, _, settings in REFERENCE]
    display = DisplaySettings()

    def pipeline() -> None:
        for source, settings in sources:
            state = {
                "is_playing": True,
                "currently_playing_type": "track",
                "progress_ms": 1,
                "item": {
                    "type": "track",
                    "name": source,
                    "duration_ms": 9000,
                    "artists": [{"name": source}],
                    "album": {"name": source},
                },
            }
            v2_payload(
                Snapshot(AccountStatus.OK, Playback.from_spotify(state, 0.0)),
                0.0,
                DisplaySettings(display.rom, display.size, settings),
            )

    def cold() -> None:
        track_text.cache_clear()
        pipeline()

    def plain_anyascii() -> None:
        for source, _ in sources:
            anyascii(source)

    rounds = 20
    cold_s = statistics.median(timed(cold, 1) for _ in range(rounds))
    cached_s = statistics.median(timed(pipeline, 1) for _ in range(rounds))
    baseline_s = statistics.median(timed(plain_anyascii, 1) for _ in range(rounds))
    per = len(sources)
    print(f"{per} tracks; median of {rounds} rounds; per track (title, artist, album + v2 payload)")
    print(f"  cold (cache cleared)   {cold_s / per * 1e6:9.1f} us")
    print(f"  cached                 {cached_s / per * 1e6:9.1f} us")
    print(f"  plain anyascii, 1 str  {baseline_s / per * 1e6:9.1f} us")
    print(
        f"  ratio cold/cached {cold_s / cached_s:.1f}, cached/anyascii {cached_s / baseline_s:.1f}"
    )
    print()
    print(f"{'source':<24}{'reference':<30}{'ours':<30}{'anyascii':<30}unidecode")
    scores = {"ours": 0, "anyascii": 0, "unidecode": 0}
    for source, reference, settings in REFERENCE:
        results = {
            "ours": ours(source, settings),
            "anyascii": anyascii(source),
            "unidecode": unidecode(source).strip(),
        }
        for name, result in results.items():
            scores[name] += letters(result) == letters(reference)
        print(
            f"{source:<24}{reference:<30}{results['ours']:<30}{results['anyascii']:<30}"
            f"{results['unidecode']}"
        )
    total = len(REFERENCE)
    print()
    print("matches the reference reading (letters only, any case):")
    for name, score in scores.items():
        print(f"  {name:<10} {score}/{total}")


if __name__ == "__main__":
    main()
