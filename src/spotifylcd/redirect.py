"""Where Spotify sends the browser back after authorization, in the paste-the-redirect flow."""

from __future__ import annotations

from typing import Final

DEFAULT_REDIRECT_PORT: Final = 8888


def redirect_uri(port: int) -> str:
    """Spotify forbids `localhost` redirects; the loopback address is allowed over http."""
    return f"http://127.0.0.1:{port}/callback"
