"""`serve` runs on uvloop where it is installed, and on asyncio's own loop where it is not."""

from __future__ import annotations

import sys

import pytest
import uvloop

from spotifylcd.commands.serve import event_loop_factory


def test_serve_runs_on_uvloop_where_it_is_installed() -> None:
    factory = event_loop_factory()
    assert factory is not None
    loop = factory()
    try:
        assert isinstance(loop, uvloop.Loop)
    finally:
        loop.close()


def test_serve_runs_on_asyncio_without_uvloop(monkeypatch: pytest.MonkeyPatch) -> None:
    # A platform without uvloop's wheels (Windows, 32-bit ARM): the import fails.
    monkeypatch.setitem(sys.modules, "uvloop", None)
    assert event_loop_factory() is None
