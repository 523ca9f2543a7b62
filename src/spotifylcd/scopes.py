"""The Spotify permissions an account is linked with: what plays, and (for buttons) changing it.

Apart from the client, so the account model and the command line need no HTTP library.
"""

from __future__ import annotations

from typing import Final

CONTROL_SCOPE: Final = "user-modify-playback-state"
SCOPES: Final = ("user-read-playback-state", "user-read-currently-playing", CONTROL_SCOPE)
