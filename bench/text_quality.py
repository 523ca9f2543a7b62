"""Reading quality per language on the evaluation set of real tracks (tests/fixtures/text).

Similarity of one string: difflib's SequenceMatcher ratio between our printable-ASCII output
(`track_text(..., rom=None)`, the v1 and `ascii` path) and the standard romanization in the
set, both case-folded and reduced to letters and digits (spaces, punctuation and diacritics
are not scored: "Yoru ni Kakeru" and "yorunikakeru" are equal, "Tōkyō" and "Tokyo" too).
Only fields that are not plain ASCII are scored; a language's score is the mean over its
fields. Four runs, side by side:

- hint: the account's country is the one the set gives (JP for Japanese, TW for Taiwan, ...);
- no hint: no country (what Spotify tells development-mode apps), artists' genres known;
- no genres: neither country nor genres (artists Spotify lists no genre for);
- anyascii: plain anyascii on the same strings, the baseline.

Run: .venv/bin/python bench/text_quality.py [--worst N]
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import statistics
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from anyascii import anyascii

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from spotifylcd.text import TextSettings, track_text

TITLES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "text" / "titles.json"


@dataclass(frozen=True)
class Track:
    """One real track of the set, with the standard romanization of each field."""

    lang: str
    country: str
    genres: tuple[str, ...]
    title: str
    artists: tuple[str, ...]
    album: str
    references: tuple[str, ...]  # title, artists..., album

    def sources(self) -> tuple[str, ...]:
        """The fields in the order of `references`."""
        return (self.title, *self.artists, self.album)


def load_tracks() -> list[Track]:
    """The evaluation set."""
    tracks = json.loads(TITLES.read_text(encoding="utf-8"))["tracks"]
    return [
        Track(
            lang=track["lang"],
            country=track["country"],
            genres=tuple(track["genres"]),
            title=track["title"][0],
            artists=tuple(artist[0] for artist in track["artists"]),
            album=track["album"][0],
            references=(
                track["title"][1],
                *(artist[1] for artist in track["artists"]),
                track["album"][1],
            ),
        )
        for track in tracks
    ]


def comparable(text: str) -> str:
    """Case-folded letters and digits, diacritics dropped."""
    return re.sub(r"[^0-9a-z]", "", anyascii(text).casefold())


def similarity(ours: str, reference: str) -> float:
    """difflib ratio of the comparable forms: 1.0 is the reference reading exactly."""
    return difflib.SequenceMatcher(None, comparable(ours), comparable(reference)).ratio()


Reader = Callable[[Track], tuple[str, ...]]


def ours(*, hint: bool, genres: bool) -> Reader:
    """Our ASCII reading of each field, with or without the country hint and genres."""

    def read(track: Track) -> tuple[str, ...]:
        settings = TextSettings(country=track.country if hint else "")
        text = track_text(
            track.title,
            track.artists,
            track.album,
            settings,
            None,
            genres=track.genres if genres else (),
        )
        # Empty artist names are dropped by track_text; none is empty in the set.
        return (text.title, *text.artists, text.album)

    return read


def plain_anyascii(track: Track) -> tuple[str, ...]:
    """The baseline: anyascii on each field."""
    return tuple(anyascii(source) for source in track.sources())


def scored_fields(track: Track, reader: Reader) -> list[tuple[str, str, str, float]]:
    """(source, reference, ours, similarity) for each non-ASCII field of `track`."""
    return [
        (source, reference, result, similarity(result, reference))
        for source, reference, result in zip(
            track.sources(), track.references, reader(track), strict=True
        )
        if not source.isascii()
    ]


def language_scores(tracks: list[Track], reader: Reader) -> dict[str, float]:
    """Mean similarity per language ("ja-kanji"), and per family of them ("ja", "zh")."""
    per_language: dict[str, list[float]] = defaultdict(list)
    for track in tracks:
        scores = [score for *_, score in scored_fields(track, reader)]
        per_language[track.lang].extend(scores)
        if "-" in track.lang:
            per_language[track.lang.split("-")[0]].extend(scores)
    return {lang: statistics.fmean(scores) for lang, scores in per_language.items()}


RUNS: dict[str, Reader] = {
    "hint": ours(hint=True, genres=True),
    "no hint": ours(hint=False, genres=True),
    "no genres": ours(hint=False, genres=False),
    "anyascii": plain_anyascii,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worst", type=int, default=0, help="list the N worst fields (no hint)")
    args = parser.parse_args()
    tracks = load_tracks()
    table = {name: language_scores(tracks, reader) for name, reader in RUNS.items()}
    counts: dict[str, int] = defaultdict(int)
    for track in tracks:
        scored = len(scored_fields(track, plain_anyascii))
        counts[track.lang] += scored
        if "-" in track.lang:
            counts[track.lang.split("-")[0]] += scored
    languages = {track.lang for track in tracks}
    total = sum(count for lang, count in counts.items() if lang in languages)
    print(f"{len(tracks)} tracks, {total} scored fields")
    print(f"{'language':<10}{'fields':>7}" + "".join(f"{name:>11}" for name in RUNS))
    # Languages in the order of the set, then families of them (ja = ja-kanji + ja-kana).
    for lang in sorted(counts, key=lambda name: name not in languages):
        row = "".join(f"{table[name][lang]:>11.3f}" for name in RUNS)
        print(f"{lang:<10}{counts[lang]:>7}{row}")
    if args.worst:
        print()
        fields = [field for track in tracks for field in scored_fields(track, RUNS["no hint"])]
        for source, reference, result, score in sorted(fields, key=lambda f: f[3])[: args.worst]:
            print(f"{score:.2f}  {source}  →  {result}  (standard: {reference})")


if __name__ == "__main__":
    main()
