"""OAuth2 for IMAP mailboxes (Microsoft 365, Google Workspace, any RFC 8628 provider).

`podatelna imap authorize NAME` runs the device authorisation grant (RFC 8628) once: it prints
where to go and the code to type, waits while the admin signs in, and writes the refresh token
to `oauth2_token_file` (atomically, mode 0600). From then on the poller logs in with SASL
XOAUTH2 and an access token it refreshes (RFC 6749 §6) shortly before it expires. Access
tokens live only in memory and are never logged; the token file is the only place a refresh
token is written, and a rotated refresh token is written there before the old one is
forgotten (a crash right after a refresh still finds a token that works).

A refresh token the provider revoked or that cannot be refreshed (`invalid_grant`) stops only
its account: `AuthorizationNeeded`, which the poller reports as `imap_auth_failed` and `report`
as needing authorisation. The token file is read again on every refresh, so polling resumes
by itself once `imap authorize` has written a new one. A provider that cannot be reached is an
ordinary, retried failure.
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from daemon.config import OAuth2Settings

REFRESH_MARGIN = 300.0  # seconds: refresh an access token at most this long before it expires
HTTP_TIMEOUT = 20.0
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
AUTH_NEEDED = "authorisation needed"  # how a poll's recorded error tells `report` so


class OAuth2Error(Exception):
    """The provider could not be asked or answered nonsense: try again later."""


class AuthorizationNeeded(OAuth2Error):
    """No refresh token, or the provider refuses it: only `imap authorize` can help."""


def _post(url: str, form: dict[str, str]) -> dict[str, Any]:
    """POST a form, return the JSON answer; an OAuth2 error answer (400/401) is returned too."""
    data = urllib.parse.urlencode(form).encode()
    request = urllib.request.Request(  # noqa: S310 - config allows http(s) URLs only
        url, data=data, headers={"Accept": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:  # noqa: S310
            body = response.read(1024 * 1024)
    except urllib.error.HTTPError as exc:
        body = exc.read(1024 * 1024)
        if exc.code not in (400, 401):
            raise OAuth2Error(f"{url}: HTTP {exc.code}") from None
    except OSError as exc:
        raise OAuth2Error(f"{url}: {exc}") from None
    try:
        answer = json.loads(body)
    except ValueError:
        raise OAuth2Error(f"{url}: the answer is not JSON") from None
    if not isinstance(answer, dict):
        raise OAuth2Error(f"{url}: the answer is not a JSON object")
    return answer


def _client(settings: OAuth2Settings) -> dict[str, str]:
    form = {"client_id": settings.client_id}
    if settings.client_secret is not None:
        form["client_secret"] = settings.client_secret.read()
    return form


def read_refresh_token(path: Path) -> str | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    token = data.get("refresh_token") if isinstance(data, dict) else None
    return token if isinstance(token, str) and token else None


def write_refresh_token(path: Path, token: str) -> None:
    """Atomically, mode 0600, durable: a new file beside the old, fsynced, renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    record = {
        "refresh_token": token,
        "saved_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, json.dumps(record).encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


@dataclass
class _Access:
    token: str
    expires_at: float
    lifetime: float


class TokenSource:
    """Fresh access tokens for one account, shared by its poller and its IDLE watcher: one
    refresh at a time (a provider that rotates refresh tokens spends the old one at once, so
    two refreshes racing on one token would lose the account)."""

    def __init__(self, settings: OAuth2Settings, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.clock = clock
        self._access: _Access | None = None
        self._lock = threading.Lock()

    def access_token(self) -> str:
        """A token valid for a while yet (blocking: run it in a thread)."""
        with self._lock:
            if (access := self._fresh()) is not None:
                return access
            return self._refresh()

    def forget(self) -> None:
        """The server refused the token: the next login refreshes first."""
        with self._lock:
            self._access = None

    def refresh(self) -> str:
        with self._lock:
            return self._refresh()

    def _fresh(self) -> str | None:
        access = self._access
        if access is None:
            return None
        margin = min(REFRESH_MARGIN, access.lifetime / 5)  # a 1-hour token: 5 minutes early
        return access.token if access.expires_at - self.clock() > margin else None

    def _refresh(self) -> str:
        s = self.settings
        refresh_token = read_refresh_token(s.token_file)
        if refresh_token is None:
            raise AuthorizationNeeded(
                f"no refresh token in {s.token_file}: run `podatelna imap authorize`"
            )
        form = {**_client(s), "grant_type": "refresh_token", "refresh_token": refresh_token}
        if s.scope:
            form["scope"] = s.scope
        answer = _post(s.token_url, form)
        if "access_token" not in answer:
            error = str(answer.get("error", "no access_token in the answer"))
            detail = str(answer.get("error_description", ""))[:200]
            reason = f"{error}: {detail}" if detail else error
            if error in ("invalid_grant", "invalid_client", "unauthorized_client"):
                raise AuthorizationNeeded(f"the provider refused the refresh token ({reason})")
            raise OAuth2Error(f"token refresh failed ({reason})")
        rotated = answer.get("refresh_token")
        if isinstance(rotated, str) and rotated and rotated != refresh_token:
            write_refresh_token(s.token_file, rotated)  # before the old one is forgotten
        lifetime = float(answer.get("expires_in", 3600) or 3600)
        self._access = _Access(str(answer["access_token"]), self.clock() + lifetime, lifetime)
        return self._access.token


def authorize(
    settings: OAuth2Settings,
    say: Callable[[str], None] = print,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """The device authorisation grant: show the code, wait for the admin, store the token."""
    s = settings
    form = _client(s)
    if s.scope:
        form["scope"] = s.scope
    device = _post(s.device_url, form)
    if "device_code" not in device:
        reason = device.get("error_description") or device.get("error") or "no device_code"
        raise OAuth2Error(f"device authorisation refused: {reason}")
    uri = device.get("verification_uri_complete") or device.get("verification_uri")
    uri = uri or device.get("verification_url")  # Google's spelling
    say(f"Open {uri} and enter the code {device.get('user_code')}")
    say("(waiting for the sign-in; Ctrl+C to give up)")
    interval = float(device.get("interval", 5) or 5)
    deadline = clock() + float(device.get("expires_in", 900) or 900)
    while clock() < deadline:
        sleep(interval)
        answer = _post(
            s.token_url,
            {**_client(s), "grant_type": DEVICE_GRANT, "device_code": str(device["device_code"])},
        )
        error = answer.get("error")
        if error == "authorization_pending":
            continue
        if error == "slow_down":
            interval += 5
            continue
        if error:
            detail = answer.get("error_description") or ""
            raise OAuth2Error(f"authorisation failed: {error} {detail}".strip())
        token = answer.get("refresh_token")
        if not isinstance(token, str) or not token:
            raise OAuth2Error(
                "the provider gave no refresh token (is offline_access in the scope?)"
            )
        write_refresh_token(s.token_file, token)
        say(f"Authorised: the refresh token is in {s.token_file}")
        return
    raise OAuth2Error("the code expired before the sign-in was finished: run the command again")
