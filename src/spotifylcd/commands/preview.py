"""`spotify-lcd preview`: what `/get` answers, or the LCD shows, for playback JSON."""

from __future__ import annotations

import json
import sys
import time
from typing import TYPE_CHECKING

from ..exceptions import SpotifyLCDError
from ..hd44780.rom import Rom
from ..payload import v1_payload, v2_payload
from ..playback import Playback
from ..preview import render_png, text_frames
from ..screen import SIZES
from ..settings import DisplaySettings
from ..status import AccountStatus, Snapshot
from ..text import HanReading, JapaneseMode, TextSettings

if TYPE_CHECKING:
    import argparse
    from typing import TextIO


def run(args: argparse.Namespace) -> None:
    """Read playback JSON from stdin, write the answer to stdout."""
    preview(args, sys.stdin, sys.stdout)


TEXT_FRAME_TIMES_MS = (0, 2500, 5000, 7500, 10_000)


def preview(args: argparse.Namespace, source: TextIO, out: TextIO) -> None:
    """What `/get` answers (v1, v2) or the LCD shows (text, png) for playback JSON on stdin."""
    text = source.read()
    now = time.monotonic()
    if text.strip():
        try:
            data = json.loads(text)
        except ValueError as err:
            msg = f"stdin is not JSON: {err}"
            raise SpotifyLCDError(msg) from err
        playback = Playback.from_spotify(data, now)
    else:
        playback = Playback.idle(now)
    snapshot = Snapshot(AccountStatus.OK, playback)
    text_settings = TextSettings(
        han_reading=HanReading(args.han_reading),
        japanese=JapaneseMode(args.japanese),
        country=args.country.upper(),
    )
    if args.format == "v1":
        json.dump(v1_payload(snapshot, now, text_settings), out, ensure_ascii=False)
        out.write("\n")
        return
    display = DisplaySettings(Rom(args.rom), SIZES[args.size], text_settings)
    payload = v2_payload(snapshot, now, display)
    if args.format == "v2":
        json.dump(payload, out, ensure_ascii=False)
        out.write("\n")
    elif args.format == "text":
        out.write(text_frames(payload, list(TEXT_FRAME_TIMES_MS)) + "\n")
    else:
        if args.out is None:
            msg = "--format png needs --out FILE"
            raise SpotifyLCDError(msg)
        try:
            render_png(payload, args.out, at_ms=round(args.at * 1000), backlight=args.backlight)
        except OSError as err:
            msg = f"cannot write {args.out}: {err.strerror or err}; give --out a writable path"
            raise SpotifyLCDError(msg) from err
        out.write(f"wrote {args.out}\n")
