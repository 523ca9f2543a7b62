"""Rehearse a release here: install it the way HACS and the add-on store will, from loopback.

Builds the artifacts with scripts/build-release and serves them on loopback as a package index
and as GitHub release downloads. Then, for both forms of the integration's requirement (from
the index, and the release's wheel by URL): a fresh virtualenv with Home Assistant and
without spotify-lcd, the integration unzipped into custom_components as HACS does, a real
`hass` with pip enabled; it must install the requirement itself, load the integration and
start its config flow. Then the add-on: the Dockerfile's RUN lines in fresh virtualenvs (the
index has the version; the index lacks it and the release's wheel is the fallback), and the
server started through the add-on's s6 run script. Prints what it shows; exit 1 on a failure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import socket
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from scripts.rehearsal_hass import Hass, HassError  # noqa: E402
from scripts.rehearsal_index import LoopbackReleases  # noqa: E402
from scripts.release_build import ZIP_NAME, wheel_name  # noqa: E402
from scripts.release_versions import source_version  # noqa: E402

LOCK = ROOT / "requirements" / "lock.txt"
RELEASE_PINS = ROOT / "requirements" / "release.txt"
DOCKERFILE = ROOT / "addon" / "Dockerfile"
RUN_SCRIPT = ROOT / "addon" / "rootfs" / "etc" / "s6-overlay" / "s6-rc.d" / "spotify-lcd" / "run"
REGISTRY = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple/")
SPOTIFY_AUTHORIZE = "https://accounts.spotify.com/authorize"
CLIENT_ID = "rehearsal-client-id"
COMMAND_TIMEOUT = 600
REHEARSAL_TIMEOUT = 1200
# Loggers whose errors fail the rehearsal (hass logs unrelated ones, e.g. a missing libturbojpeg).
OUR_LOGGERS = re.compile(r"spotify|\[homeassistant\.(requirements|util\.package|setup|loader)\]")
# pip settings of this machine or user that would bypass the indexes under test.
PIP_SOURCES = ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_NO_INDEX")


class RehearsalError(Exception):
    """A step did not show what it must."""


def step(title: str) -> None:
    """Announce a step."""
    print(f"==> {title}", flush=True)


def shown(fact: str) -> None:
    """Report one thing the rehearsal has shown."""
    print(f"    ok: {fact}", flush=True)


async def run(*argv: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    """Run a command to completion; its output, or RehearsalError with the output's tail."""
    process = await asyncio.create_subprocess_exec(
        *map(str, argv),
        env=env,
        cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        async with asyncio.timeout(COMMAND_TIMEOUT):
            output, _ = await process.communicate()
    except TimeoutError:
        raise RehearsalError(f"{Path(argv[0]).name}: no end after {COMMAND_TIMEOUT} s") from None
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    text = output.decode(errors="replace")
    if process.returncode != 0:
        tail = "\n".join(text.splitlines()[-15:])
        raise RehearsalError(f"{' '.join(map(str, argv))} exited {process.returncode}:\n{tail}")
    return text


async def installed(python: Path, project: str) -> tuple[str | None, str | None]:
    """The version of `project` in `python`'s environment and the URL it came from, if any."""
    probe = (
        "import json, sys\n"
        "from importlib.metadata import PackageNotFoundError, distribution\n"
        "try:\n"
        f"    found = distribution({project!r})\n"
        "except PackageNotFoundError:\n"
        "    print(json.dumps([None, None])); sys.exit()\n"
        "direct = found.read_text('direct_url.json')\n"
        "print(json.dumps([found.version, direct and json.loads(direct)['url']]))\n"
    )
    version, url = json.loads(await run(python, "-c", probe, cwd=python.parent))
    return version, url


async def build(work: Path, releases: LoopbackReleases | None = None) -> Path:
    """The artifacts from scripts/build-release; with `releases`, the URL-form zip only."""
    if releases is None:
        dist = work / "dist"
        output = await run(ROOT / "scripts" / "build-release", "--dist", dist)
    else:
        dist = work / "dist-release-url"
        output = await run(
            ROOT / "scripts" / "build-release",
            "--zip-only",
            "--dist",
            dist,
            "--requirement-url",
            releases.release_url,
        )
    for line in output.splitlines():
        if line.startswith((str(dist), ZIP_NAME)):
            shown(line.replace(str(work), "<work>"))
    return dist


async def home_assistant_venv(venv: Path) -> Path:
    """A fresh virtualenv with the pinned Home Assistant and its frontend, not spotify-lcd."""
    uv = (sys.executable, "-m", "uv")
    await run(*uv, "venv", "--quiet", "--python", sys.executable, venv)
    await run(
        *uv,
        "pip",
        "install",
        "--quiet",
        "--python",
        venv / "bin" / "python",
        "-c",
        LOCK,
        "-c",
        RELEASE_PINS,
        "homeassistant",
        "home-assistant-frontend",
    )
    version, _ = await installed(venv / "bin" / "python", "spotify-lcd")
    if version is not None:
        raise RehearsalError(f"the fresh Home Assistant venv already has spotify-lcd {version}")
    ha_version, _ = await installed(venv / "bin" / "python", "homeassistant")
    shown(f"fresh venv with homeassistant {ha_version}, without spotify-lcd")
    return venv


def install_as_hacs(zip_path: Path, config: Path) -> str:
    """Unzip the integration into the config's custom_components as HACS does; its requirement."""
    target = config / "custom_components" / "spotify_lcd"
    target.mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(target)
        (requirement,) = json.loads(archive.read("manifest.json"))["requirements"]
    shown(f"{ZIP_NAME} unzipped into <config>/custom_components/spotify_lcd, requiring")
    print(f"        {requirement}")
    return str(requirement)


async def show_requirement_installed(
    hass: Hass, venv: Path, requirement: str, releases: LoopbackReleases
) -> None:
    """Starting the flow made hass install the requirement, from where the manifest says."""
    version = source_version()
    started = time.monotonic()
    first = await hass.start_flow("spotify_lcd")
    shown(
        f"the first flow start took {time.monotonic() - started:.0f} s and ended"
        f" {first.get('type')}: {first.get('reason')} (no application credentials yet)"
    )
    installed_version, source = await installed(venv / "bin" / "python", "spotify-lcd")
    if installed_version != version:
        raise RehearsalError(f"hass installed spotify-lcd {installed_version}, not {version}")
    wanted_source = requirement.split("#", maxsplit=1)[0] if "#" in requirement else None
    if source != wanted_source:
        raise RehearsalError(f"spotify-lcd came from {source or 'the index'}, not {wanted_source}")
    shown(f"the venv now has spotify-lcd {installed_version}, from {source or 'the index'}")
    wheel = wheel_name(version)
    if not releases.fetched(wheel):
        raise RehearsalError(f"no installer fetched {wheel} from the loopback server")
    shown(f"served to the installer: {', '.join(releases.fetched(wheel))}")
    log = hass.log_lines("Attempting install of", requirement)
    if not log:
        raise RehearsalError("home-assistant.log does not show hass installing spotify-lcd")
    shown(f"home-assistant.log: {log[0].split(' ', 2)[2]}")


async def show_flow_starts(hass: Hass) -> None:
    """With application credentials, the flow sends the user to Spotify with our client id."""
    await hass.websocket_command(
        {
            "type": "application_credentials/create",
            "domain": "spotify_lcd",
            "client_id": CLIENT_ID,
            "client_secret": "rehearsal-client-secret",
            "name": "Rehearsal",
        }
    )
    shown("application credentials created over the websocket API")
    flow = await hass.start_flow("spotify_lcd")
    url = str(flow.get("url", ""))
    if flow.get("type") != "external" or not url.startswith(f"{SPOTIFY_AUTHORIZE}?"):
        raise RehearsalError(f"the config flow did not send the user to Spotify: {flow}")
    if f"client_id={CLIENT_ID}" not in url:
        raise RehearsalError(f"Spotify's authorize URL lacks our client id: {url}")
    shown(f"config flow {flow['flow_id'][:8]}…: external step {flow['step_id']} at")
    print(f"        {re.sub(r'state=[^&]+', 'state=…', url)}")


def show_clean_log(hass: Hass) -> None:
    """The integration was loaded from custom_components, and nothing of ours logged an error."""
    loaded = hass.log_lines("custom integration spotify_lcd")
    if not loaded:
        raise RehearsalError("home-assistant.log does not show spotify_lcd being loaded")
    shown(f"home-assistant.log: {loaded[0].split(' ', 2)[2][:110]}…")
    errors = [line for line in hass.log_lines("ERROR") if OUR_LOGGERS.search(line)]
    if errors:
        raise RehearsalError("home-assistant.log has errors:\n" + "\n".join(errors[:10]))
    shown("no ERROR from the integration, the library or the requirements installer")


async def rehearse_home_assistant(
    work: Path, zip_path: Path, form: str, uv_env: dict[str, str], releases: LoopbackReleases
) -> None:
    """HACS's install of `zip_path`; a real hass installs the requirement and starts the flow."""
    releases.requests.clear()
    venv = await home_assistant_venv(work / f"ha-venv-{form}")
    config = work / f"ha-config-{form}"
    requirement = install_as_hacs(zip_path, config)
    hass = Hass(venv, config, uv_env)
    try:
        started = time.monotonic()
        await hass.start()
        shown(f"hass is up at {hass.url} ({time.monotonic() - started:.0f} s), pip enabled")
        await hass.onboard()
        shown("onboarded over REST; access token taken")
        await show_requirement_installed(hass, venv, requirement, releases)
        await show_flow_starts(hass)
        show_clean_log(hass)
    except (HassError, aiohttp.ClientError, TimeoutError) as error:
        raise RehearsalError(f"{error!r}\n{tail(hass.log)}\n{tail(config / 'hass.out')}") from None
    finally:
        await hass.stop()


def tail(path: Path, lines: int = 30) -> str:
    """The end of a log file, for a failure's message."""
    if not path.exists():
        return f"({path.name} was not written)"
    text = path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
    return f"--- {path.name}:\n" + "\n".join(text)


def dockerfile_runs() -> tuple[dict[str, str], list[str]]:
    """The add-on Dockerfile's ARG defaults and RUN commands (continuation lines joined)."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    arguments: dict[str, str] = {}
    runs = []
    for line in text.splitlines():
        instruction, _, rest = line.strip().partition(" ")
        if instruction == "ARG":
            name, _, default = rest.partition("=")
            arguments[name] = default
        elif instruction == "RUN":
            runs.append(rest)
    return arguments, runs


async def rehearse_addon(
    work: Path, case: str, pip_env: dict[str, str], releases_url: str, releases: LoopbackReleases
) -> None:
    """The Dockerfile's install in a fresh venv, then the add-on's run script serving /get."""
    version = source_version()
    releases.requests.clear()
    venv = work / f"addon-venv-{case}"
    await run(sys.executable, "-m", "venv", venv)
    arguments, runs = dockerfile_runs()
    arguments |= {"BUILD_VERSION": version, "RELEASES": releases_url}
    shown(f"fresh venv; BUILD_VERSION={version} RELEASES={releases_url}; pip sees {pip_env}")
    # Only the ARGs: the image's ENV (no pip cache) is for the image; here pip's cache is reused.
    env = {
        **{key: value for key, value in os.environ.items() if key not in PIP_SOURCES},
        **arguments,
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        **pip_env,
    }
    for command in runs:
        started = time.monotonic()
        output = await run("sh", "-ec", command, env=env, cwd=work)
        shown(f"the Dockerfile's RUN succeeded in {time.monotonic() - started:.0f} s; pip said:")
        for line in output.splitlines():
            if line.startswith(("ERROR:", "Successfully installed")):
                print(f"        {line[:150]}")
    installed_version, source = await installed(venv / "bin" / "python", "spotify-lcd")
    if installed_version != version:
        raise RehearsalError(f"the add-on's install gave spotify-lcd {installed_version}")
    expected = None if case == "index" else f"{releases_url}/v{version}/{wheel_name(version)}"
    if source != expected:
        raise RehearsalError(f"spotify-lcd came from {source or 'the index'}, not {expected}")
    shown(f"the venv has spotify-lcd {installed_version} from {source or 'the index'}")
    shown(f"served: {', '.join(releases.fetched(wheel_name(version)))}")
    await serve_addon(addon_options(work / f"addon-{case}"), venv)


def addon_options(data: Path) -> Path:
    """The Supervisor's options.json with the add-on's defaults, in a new data directory."""
    data.mkdir()
    options = data / "options.json"
    options.write_text(
        json.dumps(
            {"mongodb_uri": "", "poll_interval": 5, "log_level": "info", "legacy_keyless": False}
        )
    )
    return options


async def serve_addon(options: Path, venv: Path) -> None:
    """Start the server through the add-on's run script and ask it POST /get."""
    data = options.parent
    ports = []
    for _ in range(2):
        with socket.create_server(("127.0.0.1", 0)) as probe:
            ports.append(probe.getsockname()[1])
    env = {
        **os.environ,
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "SPOTIFY_LCD_OPTIONS": str(options),
        "SPOTIFY_LCD_DATA": str(data / "data"),
        "SPOTIFY_LCD_PORT": str(ports[0]),
        "SPOTIFY_LCD_ADMIN_PORT": str(ports[1]),
        "SPOTIFY_LCD_ADMIN_TRUST": "127.0.0.1",
    }
    process = await asyncio.create_subprocess_exec(
        "sh",
        str(RUN_SCRIPT),
        env=env,
        cwd=data,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    url = f"http://localhost:{ports[0]}"
    try:
        async with aiohttp.ClientSession() as session, asyncio.timeout(60):
            while True:
                if process.returncode is not None:
                    raise RehearsalError(f"the add-on's run script exited {process.returncode}")
                try:
                    async with session.get(f"{url}/healthz") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientError:
                    await asyncio.sleep(0.2)
            async with session.post(f"{url}/get", data={"uid": "esp32"}) as response:
                answer = await response.json()
        if (response.status, answer.get("error")) != (404, "unknown_uid"):
            raise RehearsalError(f"POST /get answered {response.status} {answer}")
        shown(f"run script serving: POST {url}/get uid=esp32 -> {response.status} {answer}")
    except TimeoutError:
        raise RehearsalError("the add-on's server did not answer within 60 s") from None
    finally:
        if process.returncode is None:
            process.terminate()
        _, err = await process.communicate()
    if process.returncode != 0:
        raise RehearsalError(f"the add-on's server stopped with {process.returncode}: {err!r}")


async def rehearse(work: Path) -> None:
    """Every step, in order, within REHEARSAL_TIMEOUT; SIGTERM stops it as cleanly as Ctrl-C."""
    task = asyncio.current_task()
    if task is not None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    try:
        async with asyncio.timeout(REHEARSAL_TIMEOUT):
            await rehearse_steps(work)
    except TimeoutError:
        raise RehearsalError(f"not done within {REHEARSAL_TIMEOUT} s") from None


async def rehearse_steps(work: Path) -> None:
    """Build, serve, then HACS's two requirement forms and the add-on's two install paths."""
    version = source_version()
    step(f"build spotify-lcd {version} with scripts/build-release")
    dist = await build(work)
    releases = LoopbackReleases(dist, version, REGISTRY)
    await releases.start()
    try:
        step(f"serve them on loopback: index {releases.index_url}, release {releases.release_url}")
        shown(f"the normal registry for everything else: {REGISTRY}")
        url_dist = await build(work, releases)
        step("HACS install, requirement from the package index: hass installs it itself")
        await rehearse_home_assistant(
            work,
            dist / ZIP_NAME,
            "index",
            {"UV_INDEX_URL": REGISTRY, "UV_EXTRA_INDEX_URL": releases.index_url},
            releases,
        )
        step("HACS install, requirement is the release's wheel URL (the index lacks it)")
        await rehearse_home_assistant(
            work, url_dist / ZIP_NAME, "release-url", {"UV_INDEX_URL": REGISTRY}, releases
        )
        step("add-on: the Dockerfile's install when the index has the version")
        await rehearse_addon(
            work,
            "index",
            {"PIP_INDEX_URL": releases.index_url, "PIP_EXTRA_INDEX_URL": REGISTRY},
            f"{releases.url}/no-release-here",
            releases,
        )
        step("add-on: the index lacks the version; the release's wheel is the fallback")
        await rehearse_addon(
            work,
            "release-url",
            {"PIP_INDEX_URL": releases.index_without_project_url},
            releases.releases_url,
            releases,
        )
    finally:
        await releases.stop()


def main(argv: list[str]) -> int:
    """Run the rehearsal in a temporary directory, removed afterwards unless --keep."""
    parser = argparse.ArgumentParser(prog="scripts/release-rehearsal", description=__doc__)
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args(argv)
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="spotify-lcd-rehearsal-"))
    try:
        asyncio.run(rehearse(work))
    except RehearsalError as error:
        print(f"release rehearsal FAILED: {error}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("release rehearsal interrupted", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"release rehearsal passed in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
