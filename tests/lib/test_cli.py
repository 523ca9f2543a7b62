"""The `spotify-lcd` command as a user runs it: real processes, real stdin and stdout."""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import aiohttp
import pytest

from spotifylcd.account import Account
from spotifylcd.cli import main
from spotifylcd.spotify import SpotifyEndpoints
from spotifylcd.store import FileTokenStore
from tests.fake_spotify import CLIENT_ID, CLIENT_SECRET, FakeSpotify
from tests.loopback import free_port, wait_healthy

type Fake = tuple[FakeSpotify, SpotifyEndpoints]


def run_preview(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], stdin: str
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(["preview", "--format", "v1"])
    out, err = capsys.readouterr()
    return code, out, err


def test_preview_prints_the_v1_body(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], track_state: dict[str, Any]
) -> None:
    code, out, _ = run_preview(monkeypatch, capsys, json.dumps(track_state))
    assert code == 0
    body = json.loads(out)
    assert (body["song_title"], body["current"], body["timer"]) == ("Paparazzi", 160210, 48096)


def test_preview_of_empty_input_is_nothing_playing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_preview(monkeypatch, capsys, "  \n")[:2] == (0, '{"api_response": 204}\n')


@pytest.mark.parametrize("stdin", ["{oops", "[1, 2]"])
def test_preview_of_garbage_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], stdin: str
) -> None:
    code, out, err = run_preview(monkeypatch, capsys, stdin)
    assert (code, out) == (2, "")
    assert err.startswith("spotify-lcd: error: ")


def link_kitchen(store: Path, *extra: str) -> tuple[str, ...]:
    """`spotify-lcd link` arguments for account "kitchen" with the fake app's credentials."""
    return (
        "link",
        "--uid",
        "kitchen",
        "--client-id",
        CLIENT_ID,
        "--client-secret",
        CLIENT_SECRET,
        "--store",
        str(store),
        *extra,
    )


async def spotify_lcd(*args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "spotifylcd",
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate(stdin)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_link_imports_a_refresh_token(fake_spotify: Fake, tmp_path: Path) -> None:
    code, out, err = await spotify_lcd(*link_kitchen(tmp_path, "--refresh-token", "refresh-0"))
    assert code == 0, err
    account = await FileTokenStore(tmp_path).get("kitchen")
    assert (account.spotify_user_id, account.country, account.access_token) == (
        "wizzler",
        "",
        "access-1",
    )
    assert f"Device key: {account.device_key}" in out
    assert CLIENT_SECRET not in out + err
    assert "access-1" not in out + err


async def test_relink_keeps_the_device_key_and_credentials(
    fake_spotify: Fake, tmp_path: Path
) -> None:
    first = await spotify_lcd(*link_kitchen(tmp_path, "--refresh-token", "refresh-0"))
    key = (await FileTokenStore(tmp_path).get("kitchen")).device_key
    second = await spotify_lcd(
        "link",
        "--uid",
        "kitchen",
        "--refresh-token",
        "refresh-0",
        "--store",
        str(tmp_path),
        "--keyless",
    )
    assert (first[0], second[0]) == (0, 0)
    account = await FileTokenStore(tmp_path).get("kitchen")
    assert (account.device_key, account.keyless, account.version) == (key, True, 2)


async def test_link_with_a_revoked_token_fails_cleanly(fake_spotify: Fake, tmp_path: Path) -> None:
    code, _, err = await spotify_lcd(*link_kitchen(tmp_path, "--refresh-token", "revoked"))
    assert code == 2
    assert "refresh token" in err
    assert "Traceback" not in err
    assert await FileTokenStore(tmp_path).list_accounts() == []


async def test_link_without_credentials_says_what_is_missing(tmp_path: Path) -> None:
    code, _, err = await spotify_lcd(
        "link", "--uid", "x", "--refresh-token", "t", "--store", str(tmp_path)
    )
    assert code == 2
    assert "--client-id" in err


async def test_link_by_pasting_the_redirect_url(fake_spotify: Fake, tmp_path: Path) -> None:
    fake_spotify[0].codes.add("the-code")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "spotifylcd",
        "link",
        "--uid",
        "study",
        "--client-id",
        CLIENT_ID,
        "--client-secret",
        CLIENT_SECRET,
        "--store",
        str(tmp_path),
        "--redirect-port",
        "8765",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    assert process.stdin is not None
    authorize_url = ""
    async with asyncio.timeout(20):
        while not authorize_url:
            line = (await process.stdout.readline()).decode().strip()
            if line.startswith(fake_spotify[1].authorize_url):
                authorize_url = line
    query = parse_qs(urlparse(authorize_url).query)
    assert query["redirect_uri"] == ["http://127.0.0.1:8765/callback"]
    assert query["client_id"] == [CLIENT_ID]
    # Reading what plays, and changing it from the display's buttons.
    assert set(query["scope"][0].split()) == {
        "user-read-playback-state",
        "user-read-currently-playing",
        "user-modify-playback-state",
    }
    state = query["state"][0]
    redirect = f"http://127.0.0.1:8765/callback?code=the-code&state={state}\n"
    out, err = await process.communicate(redirect.encode())
    assert process.returncode == 0, err
    account = await FileTokenStore(tmp_path).get("study")
    assert (account.refresh_token, account.spotify_user_id) == ("refresh-1", "wizzler")
    assert account.device_key is not None
    assert account.device_key in out.decode()


async def test_pasting_a_url_from_another_attempt_is_refused(
    fake_spotify: Fake, tmp_path: Path
) -> None:
    fake_spotify[0].codes.add("the-code")
    code, _, err = await spotify_lcd(
        "link",
        "--uid",
        "study",
        "--client-id",
        CLIENT_ID,
        "--client-secret",
        CLIENT_SECRET,
        "--store",
        str(tmp_path),
        stdin=b"http://127.0.0.1:8888/callback?code=the-code&state=forged\n",
    )
    assert code == 2
    assert "state mismatch" in err
    assert fake_spotify[0].calls["token"] == 0


async def test_serve_demo_answers_get_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "spotifylcd",
        "serve",
        "--demo",
        "--port",
        str(port),
        "--store",
        str(tmp_path / "data"),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "SPOTIFY_LCD_API_URL": "http://localhost:9/v1"},
    )
    url = f"http://localhost:{port}"
    try:
        await wait_healthy(url)
        async with (
            aiohttp.ClientSession() as session,
            session.post(f"{url}/get", data={"uid": "demo"}) as response,
        ):
            body = await response.json()
        assert (response.status, body["api_response"], body["song_title"]) == (
            200,
            200,
            "Paparazzi",
        )
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    assert "Traceback" not in err.decode()
    assert "INFO spotifylcd: serving 1 account(s)" in err.decode()


def run_preview_args(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], stdin: str, *args: str
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(["preview", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_preview_v2_uses_the_rom_and_reading(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], track_state: dict[str, Any]
) -> None:
    track_state["item"]["name"] = "紅蓮華"
    args = ("--format", "v2", "--rom", "A00", "--size", "20x4", "--country", "jp")
    code, out, _ = run_preview_args(monkeypatch, capsys, json.dumps(track_state), *args)
    assert code == 0
    body = json.loads(out)
    assert (body["title"], body["cols"], body["rows"]) == ("Guren Hana", 20, 4)
    chinese = ("--format", "v2", "--han-reading", "chinese")
    out = run_preview_args(monkeypatch, capsys, json.dumps(track_state), *chinese)[1]
    assert json.loads(out)["title"] == "Hong Lian Hua"


def test_preview_text_draws_frames_with_a_legend(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], track_state: dict[str, Any]
) -> None:
    track_state["item"]["name"] = "紅蓮華"
    args = ("--format", "text", "--japanese", "katakana", "--country", "JP")
    code, out, _ = run_preview_args(monkeypatch, capsys, json.dumps(track_state), *args)
    assert code == 0
    assert "|ｸﾞﾚﾝﾊﾅ          |" in out
    assert "|Lady Gaga       |" in out
    assert "④ = CGRAM 4: play (0010181c1e1c1810)" in out
    assert "⓪ = CGRAM 0: progress bar, 1/5" in out


def test_preview_png_is_a_picture_of_the_lcd(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    track_state: dict[str, Any],
    tmp_path: Path,
) -> None:
    from PIL import Image  # noqa: PLC0415 - only this test reads images

    out_file = tmp_path / "lcd.png"
    code, out, _ = run_preview_args(
        monkeypatch,
        capsys,
        json.dumps(track_state),
        "--format",
        "png",
        "--out",
        str(out_file),
        "--size",
        "20x4",
    )
    assert (code, out.strip()) == (0, f"wrote {out_file}")
    with Image.open(out_file) as image:
        assert image.format == "PNG"
        # 20 cells of 5 dots (4 px + 1 gap) plus gaps and margins; 4 rows of 8 dots.
        assert image.size == (2 * 24 + 20 * 24 + 19 * 4, 2 * 24 + 4 * 39 + 3 * 4)
        colours = {colour for _, colour in image.getcolors(maxcolors=16) or []}
    assert len(colours) == 3  # backlight, lit dots, unlit dots


def test_preview_png_needs_an_output_file(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_preview_args(monkeypatch, capsys, "", "--format", "png")
    assert (code, "--out" in err) == (2, True)


async def test_settings_change_what_displays_show(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path)
    await store.put(Account(uid="kitchen", device_key="k"))
    code, out, err = await spotify_lcd(
        "settings",
        "--uid",
        "kitchen",
        "--store",
        str(tmp_path),
        "--rom",
        "A02",
        "--size",
        "20x4",
        "--japanese",
        "katakana",
        "--han-reading",
        "japanese",
        "--override",
        "紅蓮華=Gurenge",
    )
    assert code == 0, err
    assert "kitchen: rom A02, size 20x4, japanese katakana, han-reading japanese" in out
    assert "紅蓮華 = Gurenge" in out
    account = await store.get("kitchen")
    assert account.display_settings().text.overrides == (("紅蓮華", "Gurenge"),)
    code, out, _ = await spotify_lcd(
        "settings", "--uid", "kitchen", "--store", str(tmp_path), "--override", "紅蓮華="
    )
    assert code == 0
    assert (await store.get("kitchen")).overrides == {}


@pytest.mark.parametrize(
    ("args", "message"),
    [(("--override", "no-equals-sign"), "SOURCE=SHOWN"), (("--rom", "A03"), "invalid choice")],
)
async def test_settings_refuse_bad_values(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    await FileTokenStore(tmp_path).put(Account(uid="kitchen"))
    code, _, err = await spotify_lcd(
        "settings", "--uid", "kitchen", "--store", str(tmp_path), *args
    )
    assert code == 2
    assert message in err


async def test_settings_of_an_unknown_account(tmp_path: Path) -> None:
    code, _, err = await spotify_lcd("settings", "--uid", "ghost", "--store", str(tmp_path))
    assert code == 2
    assert "ghost" in err
