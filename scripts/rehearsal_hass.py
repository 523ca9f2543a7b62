"""A real `hass` process in a config directory of its own, driven over its REST and websocket API.

What it takes on this machine is in docs/releasing.md: only the integrations needed are
loaded (default_config pulls packages that are not installed), the frontend package matching
Home Assistant's pin must be importable or hass starts in recovery mode, and the config flow
needs the HA-Frontend-Base header unless the `my` integration is loaded.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
from typing import TYPE_CHECKING, Any

import aiohttp

if TYPE_CHECKING:
    from pathlib import Path

CONFIGURATION = """\
homeassistant:
  name: Release rehearsal
  time_zone: UTC
  country: DE
  unit_system: metric
http:
  server_host: 127.0.0.1
  server_port: {port}
api:
application_credentials:
config:
image:
logger:
  default: warning
  logs:
    homeassistant.util.package: info
    homeassistant.requirements: info
onboarding:
sensor:
websocket_api:
"""
START_TIMEOUT = 240
# Setting up the flow installs the requirement first (uv, from the configured indexes).
FLOW_TIMEOUT = 300


class HassError(Exception):
    """Home Assistant did not do what the rehearsal expected."""


class Hass:
    """One `hass -c <config>` process and an authenticated client for it."""

    def __init__(self, venv: Path, config: Path, env: dict[str, str]) -> None:
        """Run the venv's hass on `config` with `env` added to this process's environment."""
        self._venv = venv
        self.config = config
        self._env = env
        self._process: asyncio.subprocess.Process | None = None
        self._session: aiohttp.ClientSession | None = None
        self._token = ""
        with socket.create_server(("127.0.0.1", 0)) as probe:
            self.port = probe.getsockname()[1]
        self.url = f"http://localhost:{self.port}"

    @property
    def log(self) -> Path:
        """Home Assistant's own log file."""
        return self.config / "home-assistant.log"

    def log_lines(self, *needles: str) -> list[str]:
        """The log's lines that contain every one of `needles`."""
        if not self.log.exists():
            return []
        return [
            line
            for line in self.log.read_text(encoding="utf-8", errors="replace").splitlines()
            if all(needle in line for needle in needles)
        ]

    async def start(self) -> None:
        """Start hass with pip enabled and wait until its API answers."""
        (self.config / "configuration.yaml").write_text(CONFIGURATION.format(port=self.port))
        env = {
            **os.environ,
            "VIRTUAL_ENV": str(self._venv),
            "PATH": f"{self._venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
            **self._env,
        }
        with (self.config / "hass.out").open("wb") as out:
            self._process = await asyncio.create_subprocess_exec(
                str(self._venv / "bin" / "hass"),
                "-c",
                str(self.config),
                env=env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=out,
                stderr=asyncio.subprocess.STDOUT,
            )
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=FLOW_TIMEOUT))
        async with asyncio.timeout(START_TIMEOUT):
            while True:
                if self._process.returncode is not None:
                    raise HassError(f"hass exited with {self._process.returncode}")
                with contextlib.suppress(aiohttp.ClientError):
                    async with self._session.get(f"{self.url}/api/onboarding") as response:
                        if response.status == 200:
                            return
                await asyncio.sleep(0.5)

    async def _json(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:  # noqa: ANN401 - whatever JSON the API answers
        if self._session is None:
            raise HassError("hass is not started")
        auth = {"Authorization": f"Bearer {self._token}"} if self._token else {}
        async with self._session.request(
            method, f"{self.url}{path}", json=body, data=form, headers=auth | (headers or {})
        ) as response:
            if response.status >= 400:
                raise HassError(f"{method} {path}: {response.status} {await response.text()}")
            return await response.json()

    async def onboard(self) -> None:
        """Create the owner over the onboarding API and take an access token."""
        client_id = f"{self.url}/"
        user = await self._json(
            "POST",
            "/api/onboarding/users",
            body={
                "client_id": client_id,
                "name": "Rehearsal",
                "username": "rehearsal",
                "password": "rehearsal-password",
                "language": "en",
            },
        )
        token = await self._json(
            "POST",
            "/auth/token",
            form={
                "grant_type": "authorization_code",
                "code": user["auth_code"],
                "client_id": client_id,
            },
        )
        self._token = token["access_token"]

    async def websocket_command(self, command: dict[str, Any]) -> Any:  # noqa: ANN401 - JSON
        """Send one websocket API command and return its result."""
        if self._session is None:
            raise HassError("hass is not started")
        async with self._session.ws_connect(f"{self.url}/api/websocket") as ws:
            await ws.receive_json()  # auth_required
            await ws.send_json({"type": "auth", "access_token": self._token})
            if (await ws.receive_json())["type"] != "auth_ok":
                raise HassError("the websocket API refused the access token")
            await ws.send_json({"id": 1, **command})
            answer = await ws.receive_json()
        if not answer["success"]:
            raise HassError(f"{command['type']}: {answer['error']}")
        return answer["result"]

    async def start_flow(self, handler: str) -> dict[str, Any]:
        """Start a config flow as the frontend does; its first step."""
        step: dict[str, Any] = await self._json(
            "POST",
            "/api/config/config_entries/flow",
            body={"handler": handler, "show_advanced_options": False},
            headers={"HA-Frontend-Base": self.url},
        )
        return step

    async def stop(self) -> None:
        """Stop hass (SIGTERM, then SIGKILL after 60 s) and close the client."""
        if self._session is not None:
            await self._session.close()
        if self._process is None or self._process.returncode is not None:
            return
        self._process.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(60):
                await self._process.wait()
        except TimeoutError:
            self._process.kill()
            await self._process.wait()
