"""Every error the library raises, so callers can tell failures apart precisely."""

from __future__ import annotations


class SpotifyLCDError(Exception):
    """Base class of all errors raised by spotifylcd."""


class SpotifyError(SpotifyLCDError):
    """Spotify's Web API or accounts service did not give us what we asked for."""


class SpotifyAuthError(SpotifyError):
    """Spotify rejected the access token (HTTP 401); a token refresh may fix it."""


class SpotifyReauthRequiredError(SpotifyAuthError):
    """Spotify rejected the refresh token (`invalid_grant`); the user must link again."""


class SpotifyForbiddenError(SpotifyError):
    """Spotify refused the request (HTTP 403), e.g. a development-mode app without Premium."""

    def __init__(self, message: str = "forbidden", reason: str | None = None) -> None:
        """Keep Spotify's reason (such as `PREMIUM_REQUIRED`) beside its message."""
        super().__init__(message)
        self.reason: str | None = reason


class SpotifyNoActiveDeviceError(SpotifyError):
    """A player command found no device playing or ready to play (HTTP 404)."""


class SpotifyRateLimitedError(SpotifyError):
    """Spotify answered HTTP 429; wait `retry_after` seconds before the next call."""

    def __init__(self, retry_after: float, reason: str | None = None) -> None:
        """Keep the server's wait time and its reason (such as `QUOTA_EXCEEDED`)."""
        detail = f" ({reason})" if reason else ""
        super().__init__(f"rate limited by Spotify for {retry_after:g} s{detail}")
        self.retry_after: float = retry_after
        self.reason: str | None = reason


class SpotifyUnavailableError(SpotifyError):
    """Spotify could not be reached or failed (5xx, timeout, DNS, connection reset)."""


class SpotifyInvalidResponseError(SpotifyUnavailableError):
    """Spotify answered with a body we cannot understand (not JSON, wrong shape)."""


class StoreError(SpotifyLCDError):
    """The token store could not do what was asked."""


class StoreUnavailableError(StoreError):
    """The token store cannot be reached (a MongoDB server down or unreachable); retried."""


class StoreCorruptError(StoreError):
    """The token store holds data we refuse to interpret; nothing was overwritten."""


class StoreConflictError(StoreError):
    """A compare-and-set write lost: someone else changed the account first."""


class AccountNotFoundError(StoreError):
    """No account with that uid exists in the store."""

    def __init__(self, uid: str) -> None:
        """Name the missing account."""
        super().__init__(f"no account called {uid!r}")
        self.uid = uid
