"""Who may use the review page: passwords, signed sessions, CSRF tokens, slowed-down guessing.

- Passwords are Argon2id hashes (argon2-cffi's defaults, the OWASP recommendation); the
  password itself is never stored or logged.
- A session is a cookie signed with the secret key (`[web] secret_key_file`, created 0600 when
  absent) and timestamped: it carries the user and the CSRF token and expires after
  `session_hours`. `HttpOnly`, `SameSite=Lax`, `Secure` when the request came over TLS.
- Every state change carries the session's CSRF token (form field or `X-CSRF-Token`),
  compared in constant time.
- Login failures per user name and per client address are counted; from the third one each
  answer waits longer (1, 2, 4 … 30 s) and is logged as `web_login_failed`.
"""

from __future__ import annotations

import hmac
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "podatelna_session"
MIN_PASSWORD = 8
_HASHER = PasswordHasher()
# A hash to verify against when the user does not exist, so that answers take as long.
_DUMMY = _HASHER.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password needs at least {MIN_PASSWORD} characters")
    return _HASHER.hash(password)


def password_ok(stored_hash: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(stored_hash or _DUMMY, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def secret_key(path: Path) -> bytes:
    """The session signing key, created (random, mode 0600, atomically) when absent."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(secrets.token_bytes(32))
    try:
        os.link(tmp, path)  # never replaces a key another process created meanwhile
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return path.read_bytes()


@dataclass(frozen=True, slots=True)
class Session:
    user: str
    csrf_token: str


class Sessions:
    def __init__(self, key: bytes, hours: float) -> None:
        self._serializer = URLSafeTimedSerializer(key, salt="podatelna-session")
        self.max_age = int(hours * 3600)

    def new(self, user: str) -> tuple[Session, str]:
        session = Session(user, secrets.token_urlsafe(32))
        return session, self._serializer.dumps({"u": user, "c": session.csrf_token})

    def read(self, cookie: str | None) -> Session | None:
        if not cookie:
            return None
        try:
            data = self._serializer.loads(cookie, max_age=self.max_age)
        except BadSignature:  # tampered, or expired (SignatureExpired is a BadSignature)
            return None
        if not isinstance(data, dict) or not isinstance(data.get("u"), str):
            return None
        return Session(data["u"], str(data.get("c", "")))


def csrf_ok(session: Session, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(session.csrf_token, token or "")


class LoginThrottle:
    """How long to wait before answering a login attempt, from recent failures."""

    FREE = 2  # failures answered at once
    MAX_DELAY = 30.0
    WINDOW = 15 * 60.0  # failures older than this are forgotten

    def __init__(self) -> None:
        self._failures: dict[str, list[float]] = {}

    def delay(self, *keys: str) -> float:
        now = time.monotonic()
        count = 0
        for key in keys:
            recent = [t for t in self._failures.get(key, []) if now - t < self.WINDOW]
            self._failures[key] = recent
            count = max(count, len(recent))
        return 0.0 if count < self.FREE else min(2.0 ** (count - self.FREE), self.MAX_DELAY)

    def failed(self, *keys: str) -> int:
        for key in keys:
            self._failures.setdefault(key, []).append(time.monotonic())
        return max(len(self._failures[k]) for k in keys)

    def succeeded(self, *keys: str) -> None:
        for key in keys:
            self._failures.pop(key, None)
