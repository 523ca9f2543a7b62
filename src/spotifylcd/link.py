"""Linking an account without a browser on the server: paste-the-redirect OAuth or a token."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from spotipy.cache_handler import MemoryCacheHandler
from spotipy.oauth2 import SpotifyOAuth, SpotifyOauthError

from .account import Account, generate_device_key
from .exceptions import AccountNotFoundError, SpotifyError, SpotifyUnavailableError
from .redirect import redirect_uri
from .spotify import SCOPES, SpotifyClient, SpotifyEndpoints, TokenGrant

if TYPE_CHECKING:
    from .store import TokenStore


class PasteFlow:
    """Spotify's authorization-code flow where the user pastes back the redirect URL."""

    def __init__(
        self, client_id: str, client_secret: str, port: int, endpoints: SpotifyEndpoints
    ) -> None:
        """Prepare spotipy's OAuth helper against `endpoints` with a fresh anti-CSRF state."""
        self._state = secrets.token_urlsafe(16)
        self._oauth = SpotifyOAuth(
            client_id=client_id,
            client_secret=client_secret,
            redirect_uri=redirect_uri(port),
            scope=list(SCOPES),
            state=self._state,
            open_browser=False,
            cache_handler=MemoryCacheHandler(),
            requests_timeout=10,
        )
        self._oauth.OAUTH_AUTHORIZE_URL = endpoints.authorize_url
        self._oauth.OAUTH_TOKEN_URL = endpoints.token_url

    def authorize_url(self) -> str:
        """The page the user opens to grant access."""
        url: str = self._oauth.get_authorize_url()
        return url

    def exchange(self, pasted_url: str) -> TokenGrant:
        """Trade the pasted redirect URL's code for tokens (blocking: spotipy uses requests)."""
        try:
            state, code = SpotifyOAuth.parse_auth_response_url(pasted_url.strip())
        except SpotifyOauthError as err:
            msg = f"Spotify refused access: {err}"
            raise SpotifyError(msg) from err
        if not code:
            msg = "that URL has no ?code=…; paste the whole address the browser ended on"
            raise SpotifyError(msg)
        if state != self._state:
            msg = "the URL belongs to another authorization attempt (state mismatch)"
            raise SpotifyError(msg)
        try:
            self._oauth.get_access_token(code, as_dict=False, check_cache=False)
        except SpotifyOauthError as err:
            msg = f"Spotify refused the code: {err}"
            raise SpotifyError(msg) from err
        except OSError as err:
            # requests' RequestException (no connection, timeout) is an OSError; spotipy lets
            # it through. Its text is urllib3's retry log, so the kind says enough.
            msg = f"cannot reach Spotify at {self._oauth.OAUTH_TOKEN_URL} ({type(err).__name__})"
            raise SpotifyUnavailableError(msg) from err
        token = self._oauth.cache_handler.get_cached_token()
        return TokenGrant(
            access_token=token["access_token"],
            refresh_token=token["refresh_token"],
            expires_at=float(token["expires_at"]),
            scope=str(token.get("scope") or ""),
        )


@dataclass(frozen=True, slots=True)
class LinkOptions:
    """What the user asked `spotify-lcd link` for."""

    uid: str
    client_id: str
    client_secret: str
    keyless: bool = False


async def save_linked_account(
    store: TokenStore, client: SpotifyClient, options: LinkOptions, grant: TokenGrant
) -> Account:
    """Store a freshly linked account; a re-link keeps the account's device key."""
    user = await client.get_current_user(grant.access_token)
    try:
        device_key = (await store.get(options.uid)).device_key
    except AccountNotFoundError:
        device_key = None
    account = Account(
        uid=options.uid,
        client_id=options.client_id,
        client_secret=options.client_secret,
        device_key=device_key or generate_device_key(),
        keyless=options.keyless,
        spotify_user_id=user.user_id,
        country=user.country,
        linked_at=float(int(time.time())),
    ).with_grant(grant)
    return await store.put(account)
