"""A stand-in OAuth2 provider on loopback (the real ones are the public internet): RFC 8628
device authorisation, RFC 6749 token endpoint (device_code and refresh_token grants, refresh
tokens rotated on every use), and the token introspection endpoint (RFC 7662) Dovecot's
`oauth2` passdb asks whether an access token is valid."""

from __future__ import annotations

import json
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class QuietHandler(BaseHTTPRequestHandler):
    """A stand-in's request handler: JSON answers, no access log on stderr."""

    def reply(self, status: int, answer: object) -> None:
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


class Provider:
    def __init__(self, user: str, lifetime: float = 3600, approve_after: int = 1) -> None:
        self.user = user
        self.lifetime = lifetime  # seconds an access token lives
        self.approve_after = approve_after  # device polls answered "pending" first
        self.lock = threading.Lock()
        self.access: dict[str, float] = {}  # token -> expiry (monotonic)
        self.refresh: set[str] = set()  # refresh tokens that work
        self.devices: dict[str, int] = {}  # device_code -> polls so far
        self.hits: list[str] = []  # grant types / endpoints asked, in order
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def token_url(self) -> str:
        return f"{self.base}/token"

    @property
    def device_url(self) -> str:
        return f"{self.base}/device"

    @property
    def introspection_url(self) -> str:
        return f"{self.base}/introspect"

    def issue_refresh_token(self) -> str:
        with self.lock:
            token = "rt-" + secrets.token_hex(8)
            self.refresh.add(token)
            return token

    def revoke_all(self) -> None:
        with self.lock:
            self.refresh.clear()
            self.access.clear()

    def refreshes(self) -> int:
        return self.hits.count("refresh_token")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- endpoints ---------------------------------------------------------------------------
    def answer(self, path: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            if path == "/device":
                self.hits.append("device")
                code = "dc-" + secrets.token_hex(6)
                self.devices[code] = 0
                return 200, {
                    "device_code": code,
                    "user_code": "ABCD-1234",
                    "verification_uri": f"{self.base}/activate",
                    "expires_in": 60,
                    "interval": 0.1,
                }
            if path == "/introspect":
                self.hits.append("introspect")
                expiry = self.access.get(form.get("token", ""))
                active = expiry is not None and expiry > time.monotonic()
                return 200, {"active": active, "username": self.user} if active else {
                    "active": False
                }
            if path != "/token":
                return 404, {"error": "not_found"}
            grant = form.get("grant_type", "")
            self.hits.append(grant)
            if grant == "urn:ietf:params:oauth:grant-type:device_code":
                polls = self.devices.get(form.get("device_code", ""))
                if polls is None:
                    return 400, {"error": "expired_token"}
                self.devices[form["device_code"]] = polls + 1
                if polls < self.approve_after:
                    return 400, {"error": "authorization_pending"}
                del self.devices[form["device_code"]]
                return 200, self._tokens()
            if grant == "refresh_token":
                old = form.get("refresh_token", "")
                if old not in self.refresh:
                    return 400, {"error": "invalid_grant", "error_description": "token revoked"}
                self.refresh.discard(old)  # rotated: the old one is spent
                return 200, self._tokens()
            return 400, {"error": "unsupported_grant_type"}

    def _tokens(self) -> dict[str, Any]:
        access = "at-" + secrets.token_hex(12)
        refresh = "rt-" + secrets.token_hex(8)
        self.access[access] = time.monotonic() + self.lifetime
        self.refresh.add(refresh)
        return {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": self.lifetime,
            "refresh_token": refresh,
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                form = dict(urllib.parse.parse_qsl(body))
                self.reply(*provider.answer(self.path.split("?")[0], form))

        return Handler
