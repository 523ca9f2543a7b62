"""The release's artifacts served on loopback as a PEP 503 index and as GitHub release downloads.

Three views of one directory of artifacts:
- `/simple/`: an index that has spotify-lcd (the package index once a release is published);
- `/index-without-spotify-lcd/simple/`: an index that lacks it and sends every other project
  to the normal registry (the package index before anyone published the release);
- `/<owner>/<repo>/releases/download/v<version>/`: the files attached to the GitHub release.
Every request is recorded, so the rehearsal can show which of them an installer used.
"""

from __future__ import annotations

import hashlib
import html
import socket
from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from pathlib import Path

PROJECT = "spotify-lcd"
RELEASES_PATH = "/spotify-lcd/spotify-lcd/releases/download"


class LoopbackReleases:
    """An aiohttp server on 127.0.0.1 (addressed as localhost) serving one release's files."""

    def __init__(self, artifacts: Path, version: str, registry: str) -> None:
        """Serve the wheel and sdist in `artifacts`; other projects redirect to `registry`."""
        self._artifacts = artifacts
        self._version = version
        self._registry = registry.rstrip("/")
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.requests: list[str] = []

    @property
    def url(self) -> str:
        """The server's root, by host name."""
        return f"http://localhost:{self.port}"

    @property
    def index_url(self) -> str:
        """The index that has spotify-lcd."""
        return f"{self.url}/simple/"

    @property
    def index_without_project_url(self) -> str:
        """The index that lacks spotify-lcd and knows every other project of the registry."""
        return f"{self.url}/index-without-spotify-lcd/simple/"

    @property
    def release_url(self) -> str:
        """Where the GitHub release's files are downloaded from (tag v<version>)."""
        return f"{self.url}{RELEASES_PATH}/v{self._version}"

    @property
    def releases_url(self) -> str:
        """The releases' download root: the add-on's RELEASES build argument."""
        return f"{self.url}{RELEASES_PATH}"

    def _files(self) -> list[Path]:
        return sorted(self._artifacts.glob("spotify_lcd-*"))

    def _record(self, request: web.Request) -> None:
        self.requests.append(f"{request.method} {request.path}")

    async def _root_index(self, request: web.Request) -> web.Response:
        self._record(request)
        return web.Response(
            text=f'<!DOCTYPE html><html><body><a href="{PROJECT}/">{PROJECT}</a></body></html>',
            content_type="text/html",
        )

    async def _project_index(self, request: web.Request) -> web.Response:
        self._record(request)
        if request.match_info["project"] != PROJECT:
            raise web.HTTPNotFound
        links = "".join(
            f'<a href="/files/{path.name}#sha256={hashlib.sha256(path.read_bytes()).hexdigest()}"'
            f' data-requires-python="{html.escape(">=3.13")}">{path.name}</a><br>'
            for path in self._files()
        )
        return web.Response(
            text=f"<!DOCTYPE html><html><body>{links}</body></html>", content_type="text/html"
        )

    async def _index_without_project(self, request: web.Request) -> web.Response:
        self._record(request)
        project = request.match_info["project"]
        if project == PROJECT:
            raise web.HTTPNotFound
        raise web.HTTPFound(f"{self._registry}/{project}/")

    async def _file(self, request: web.Request) -> web.FileResponse:
        self._record(request)
        by_name = {path.name: path for path in self._files()}
        if request.match_info["name"] not in by_name:
            raise web.HTTPNotFound
        return web.FileResponse(by_name[request.match_info["name"]])

    async def start(self) -> None:
        """Listen on a free loopback port."""
        app = web.Application()
        app.router.add_get("/simple/", self._root_index)
        app.router.add_get("/simple/{project}/", self._project_index)
        app.router.add_get(
            "/index-without-spotify-lcd/simple/{project}/", self._index_without_project
        )
        app.router.add_get("/files/{name}", self._file)
        app.router.add_get(f"{RELEASES_PATH}/v{self._version}/{{name}}", self._file)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        listener = socket.create_server(("127.0.0.1", 0))
        self.port = listener.getsockname()[1]
        await web.SockSite(self._runner, listener).start()

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()

    def fetched(self, name: str) -> list[str]:
        """The requests so far for the file `name`."""
        return [line for line in self.requests if line.endswith(f"/{name}")]
