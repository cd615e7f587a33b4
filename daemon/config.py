"""The TOML configuration (../shared/CONTRACT.md), parsed once into frozen objects.

`load_settings(path)` validates the whole file and raises one `ConfigError` listing every
problem, each as `toml.path: what is wrong`. Unknown keys are errors (a typo must not silently
fall back to a default). Relative paths (and a relative SQLite URL) are relative to the config
file's folder.

Secrets (IMAP passwords) come only from the environment or a file, never the TOML, and are
*not read* while loading: a `Secret` says where one lives and is read by the command that uses
it (`serve`). So the office's commands (`inbox`, `report`, `ingest`) work in a shell that cannot
see the daemon's secrets, and `serve` checks them all (`missing_secrets`) before it binds a port.
"""

from __future__ import annotations

import os
import re
import socket
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from parsers.values import is_valid_ico, is_valid_vat_id
from parsers.vocab import DocType, Mailbox
from routing.addresses import AddressBook, Company, normalize_address

DEFAULT_MAX_MESSAGE_BYTES = 25 * 1024 * 1024


class ConfigError(Exception):
    """The configuration cannot be used; `problems` has one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int
    hostname: str
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
    tls_cert: Path | None = None
    tls_key: Path | None = None
    require_tls: bool = False
    max_sessions: int = 100
    max_sessions_per_ip: int = 20
    max_recipients: int = 100
    command_timeout: float = 300.0  # RFC 5321 4.5.3.2: at least 5 minutes
    max_line_bytes: int = 16384


@dataclass(frozen=True, slots=True)
class StorageSettings:
    database: str
    files: Path
    spool: Path


class SecretMissing(ConfigError):
    """A secret that the command needs is not visible in this environment."""


@dataclass(frozen=True, slots=True)
class Secret:
    """Where a secret lives: an environment variable or a file. `where` is its TOML path."""

    where: str
    env: str | None = None
    file: Path | None = None

    @property
    def name(self) -> str:
        return self.env if self.env is not None else str(self.file)

    def problem(self, environ: Mapping[str, str] | None = None) -> str | None:
        """Why it cannot be read here, or None when it can."""
        try:
            self.read(environ)
        except SecretMissing as exc:
            return exc.problems[0]
        return None

    def read(self, environ: Mapping[str, str] | None = None) -> str:
        if self.env is not None:
            value = (os.environ if environ is None else environ).get(self.env, "").strip()
            if not value:
                raise SecretMissing([f"{self.where}: environment variable {self.env} is not set"])
            return value
        if self.file is None:
            raise SecretMissing([f"{self.where}: missing password_env or password_file"])
        try:
            value = self.file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SecretMissing(
                [f"{self.where}: cannot read {self.file}: {exc.strerror}"]
            ) from None
        if not value:
            raise SecretMissing([f"{self.where}: {self.file} is empty"])
        return value


# Where each provider's endpoints are and the scope that lets a client read mail by IMAP.
OAUTH2_PROVIDERS = {
    "microsoft": (
        "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token",
        "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/devicecode",
        "https://outlook.office.com/IMAP.AccessAsUser.All offline_access",
    ),
    "google": (
        "https://oauth2.googleapis.com/token",
        "https://oauth2.googleapis.com/device/code",
        "https://mail.google.com/",
    ),
}


@dataclass(frozen=True, slots=True)
class OAuth2Settings:
    """An `auth = "oauth2"` mailbox: the provider's endpoints resolved, the client, where
    the refresh token lives."""

    provider: str  # microsoft | google | custom
    client_id: str
    token_url: str
    device_url: str
    scope: str
    token_file: Path
    client_secret: Secret | None = None


@dataclass(frozen=True, slots=True)
class ImapAccount:
    name: str
    host: str
    port: int
    security: str
    username: str
    password: Secret
    folder: str = "INBOX"
    processed_folder: str | None = None
    poll_seconds: float = 60.0
    address: str | None = None
    oauth2: OAuth2Settings | None = None  # None: password login


@dataclass(frozen=True, slots=True)
class ProcessingSettings:
    workers: int = 2
    document_timeout: float = 60.0  # seconds per attachment in the PDF worker
    document_memory_mb: int = 1024
    max_pages: int = 50
    max_attempts: int = 3  # a spool entry failing this often becomes a needs_review item
    node: str = field(default_factory=socket.gethostname)  # this `serve` in `report`'s nodes


# The Financial Administration's public receipt check (the "Over doklad" app's service).
EKASA_URL = "https://ekasa.financnasprava.sk/mdu/api/v1/opd/receipt/find"


@dataclass(frozen=True, slots=True)
class EkasaSettings:
    lookup: bool = False  # fill receipts from the public eKasa service by their receipt id
    url: str = EKASA_URL
    timeout: float = 5.0  # seconds per request; a slow or absent service leaves fields as read


@dataclass(frozen=True, slots=True)
class WebSettings:
    host: str = "127.0.0.1"
    port: int = 8025
    secret_key_file: Path | None = None  # None: web.key beside the files folder
    session_hours: float = 12.0


@dataclass(frozen=True, slots=True)
class Settings:
    path: Path
    smtp: SmtpSettings | None
    storage: StorageSettings
    imap: tuple[ImapAccount, ...]
    companies: tuple[Company, ...]
    processing: ProcessingSettings = ProcessingSettings()
    web: WebSettings = WebSettings()
    ekasa: EkasaSettings = EkasaSettings()
    _book: AddressBook | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def max_message_bytes(self) -> int:
        """The largest message taken, from any channel: SMTP's limit (25 MiB without SMTP)."""
        return self.smtp.max_message_bytes if self.smtp else 25 * 1024 * 1024

    @property
    def address_book(self) -> AddressBook:
        """Built once (every message is routed by it, inside its commit)."""
        book = self._book
        if book is None:
            book = AddressBook.of(self.companies)
            object.__setattr__(self, "_book", book)
        return book

    def company(self, ico: str) -> Company | None:
        return next((c for c in self.companies if c.ico == ico), None)

    @property
    def secrets(self) -> tuple[tuple[str, Secret], ...]:
        """(what needs it, where it lives) for every secret `serve` reads."""
        out = []
        for a in self.imap:
            if a.oauth2 is None:
                out.append((f"IMAP account {a.name!r}", a.password))
            elif a.oauth2.client_secret is not None:
                out.append((f"IMAP account {a.name!r}", a.oauth2.client_secret))
        return tuple(out)

    def unauthorised(self) -> list[str]:
        """One line per OAuth2 mailbox with no refresh token yet."""
        out = []
        for a in self.imap:
            if a.oauth2 is not None and not _has_token(a.oauth2.token_file):
                out.append(
                    f"IMAP account {a.name!r} is not authorised yet: run "
                    f"`podatelna imap authorize {a.name}` (token file {a.oauth2.token_file})"
                )
        return out

    def missing_secrets(self, environ: Mapping[str, str] | None = None) -> list[str]:
        """One line per secret that cannot be read in this environment (empty: all visible)."""
        return [
            f"{problem} (needed by {who})"
            for who, secret in self.secrets
            if (problem := secret.problem(environ)) is not None
        ]


def _has_token(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


_TOP = {"smtp", "storage", "imap", "company", "processing", "web", "ekasa"}
_EKASA = {"lookup", "url", "timeout"}
_WEB = {"listen", "secret_key_file", "session_hours"}
_SMTP = {
    "listen",
    "hostname",
    "max_message_bytes",
    "tls_cert",
    "tls_key",
    "require_tls",
    "max_sessions",
    "max_sessions_per_ip",
    "max_recipients",
    "command_timeout",
    "max_line_bytes",
}
_STORAGE = {"database", "files", "spool"}
_IMAP = {
    "name",
    "host",
    "port",
    "security",
    "username",
    "password_env",
    "password_file",
    "folder",
    "processed_folder",
    "poll_seconds",
    "address",
    "auth",
    *(
        f"oauth2_{k}"
        for k in (
            "provider",
            "client_id",
            "client_secret_env",
            "client_secret_file",
            "tenant",
            "token_url",
            "device_url",
            "scope",
            "token_file",
        )
    ),
}
_COMPANY = {"name", "ico", "dic", "ic_dph", "addresses", "series"}
_PROCESSING = {
    "workers",
    "document_timeout",
    "document_memory_mb",
    "max_pages",
    "max_attempts",
    "node",
}
_SERIES_TOKEN = re.compile(r"\{([^}]*)\}")


def config_path(arg: str | None) -> Path:
    value = arg or os.environ.get("PODATELNA_CONFIG")
    if not value:
        raise ConfigError(["no configuration: give --config FILE or set PODATELNA_CONFIG"])
    return Path(value)


def load_settings(path: Path) -> Settings:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([f"{path}: no such file"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot read: {exc}"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: not valid TOML: {exc}"]) from None
    return _Loader(path).load(raw)


class _Loader:
    def __init__(self, path: Path) -> None:
        self.base = path.resolve().parent
        self.path = path
        self.problems: list[str] = []

    def problem(self, where: str, what: str) -> None:
        self.problems.append(f"{where}: {what}")

    def load(self, raw: dict[str, Any]) -> Settings:
        self.unknown("", raw, _TOP)
        smtp = self.smtp(raw["smtp"]) if isinstance(raw.get("smtp"), dict) else None
        if "smtp" in raw and not isinstance(raw["smtp"], dict):
            self.problem("smtp", "expected a table")
        storage = self.storage(self.table(raw, "storage", required=True))
        processing = self.processing(self.table(raw, "processing"))
        imap = tuple(
            a for i, t in enumerate(self.array(raw, "imap")) if (a := self.imap(f"imap[{i}]", t))
        )
        companies = tuple(
            c
            for i, t in enumerate(self.array(raw, "company"))
            if (c := self.company(f"company[{i}]", t))
        )
        web = self.web(self.table(raw, "web"), storage)
        ekasa = self.ekasa(self.table(raw, "ekasa"))
        self.cross_checks(companies, imap)
        if self.problems:
            raise ConfigError(self.problems)
        return Settings(self.path, smtp, storage, imap, companies, processing, web, ekasa)

    # -- helpers ---------------------------------------------------------------------------
    def unknown(self, where: str, table: Mapping[str, Any], allowed: set[str]) -> None:
        for key in table:
            if key not in allowed:
                self.problem(f"{where}.{key}" if where else key, "unknown key")

    def table(self, raw: Mapping[str, Any], key: str, required: bool = False) -> dict[str, Any]:
        value = raw.get(key)
        if value is None:
            if required:
                self.problem(key, "missing table")
            return {}
        if not isinstance(value, dict):
            self.problem(key, "expected a table")
            return {}
        return value

    def array(self, raw: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.problem(key, f"expected [[{key}]] tables")
            return []
        return value

    def string(
        self,
        where: str,
        t: Mapping[str, Any],
        key: str,
        default: str | None = None,
        required: bool = False,
    ) -> str | None:
        value = t.get(key, default)
        if value is None:
            if required:
                self.problem(f"{where}.{key}" if where else key, "missing")
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(f"{where}.{key}", "expected a non-empty string")
            return None
        return value.strip()

    def number(
        self,
        where: str,
        t: Mapping[str, Any],
        key: str,
        default: float,
        low: float,
        high: float,
        integer: bool = True,
    ) -> float:
        value = t.get(key, default)
        ok = isinstance(value, int) if integer else isinstance(value, int | float)
        if isinstance(value, bool) or not ok or not low <= value <= high:
            kind = "a whole number" if integer else "a number"
            self.problem(f"{where}.{key}", f"expected {kind} from {low:g} to {high:g}")
            return default
        return float(value)

    def boolean(self, where: str, t: Mapping[str, Any], key: str, default: bool) -> bool:
        value = t.get(key, default)
        if not isinstance(value, bool):
            self.problem(f"{where}.{key}", "expected true or false")
            return default
        return value

    def path_of(self, value: str) -> Path:
        p = Path(value).expanduser()
        return p if p.is_absolute() else self.base / p

    # -- sections --------------------------------------------------------------------------
    def smtp(self, t: dict[str, Any]) -> SmtpSettings | None:
        self.unknown("smtp", t, _SMTP)
        listen = self.string("smtp", t, "listen", required=True) or ""
        host, _, port_s = listen.rpartition(":")
        host = host.strip("[]")
        port = int(port_s) if port_s.isdigit() else -1
        if listen and (not host or not 0 <= port <= 65535):
            self.problem(
                "smtp.listen", f"expected host:port with a port from 0 to 65535, got {listen!r}"
            )
        cert, key = self.string("smtp", t, "tls_cert"), self.string("smtp", t, "tls_key")
        if (cert is None) != (key is None):
            self.problem("smtp.tls_cert", "tls_cert and tls_key go together")
        for name, value in (("tls_cert", cert), ("tls_key", key)):
            if value and not self.path_of(value).is_file():
                self.problem(f"smtp.{name}", f"no such file: {value}")
        require_tls = self.boolean("smtp", t, "require_tls", False)
        if require_tls and cert is None:
            self.problem("smtp.require_tls", "needs tls_cert and tls_key")
        return SmtpSettings(
            host=host,
            port=port,
            hostname=self.string("smtp", t, "hostname", "localhost") or "localhost",
            max_message_bytes=int(
                self.number("smtp", t, "max_message_bytes", DEFAULT_MAX_MESSAGE_BYTES, 1024, 2**31)
            ),
            tls_cert=self.path_of(cert) if cert else None,
            tls_key=self.path_of(key) if key else None,
            require_tls=require_tls,
            max_sessions=int(self.number("smtp", t, "max_sessions", 100, 1, 10000)),
            max_sessions_per_ip=int(self.number("smtp", t, "max_sessions_per_ip", 20, 1, 10000)),
            max_recipients=int(self.number("smtp", t, "max_recipients", 100, 1, 1000)),
            command_timeout=self.number(
                "smtp", t, "command_timeout", 300.0, 1, 3600, integer=False
            ),
            max_line_bytes=int(self.number("smtp", t, "max_line_bytes", 16384, 1000, 1 << 20)),
        )

    def storage(self, t: dict[str, Any]) -> StorageSettings:
        self.unknown("storage", t, _STORAGE)
        database = self.string("storage", t, "database", required=bool(t)) or ""
        files = self.string("storage", t, "files", required=bool(t)) or "."
        if database.startswith("sqlite:///") and not database.startswith("sqlite:////"):
            rel = database.removeprefix("sqlite:///")
            if rel and rel != ":memory:":
                database = f"sqlite:///{self.path_of(rel)}"
        elif database and "://" not in database:
            self.problem(
                "storage.database", "expected an SQLAlchemy URL such as sqlite:///inbox.sqlite3"
            )
        files_path = self.path_of(files)
        spool = self.string("storage", t, "spool")
        spool_path = self.path_of(spool) if spool else files_path.parent / "spool"
        return StorageSettings(database, files_path, spool_path)

    def web(self, t: dict[str, Any], storage: StorageSettings) -> WebSettings:
        self.unknown("web", t, _WEB)
        listen = self.string("web", t, "listen", "127.0.0.1:8025") or "127.0.0.1:8025"
        host, _, port_s = listen.rpartition(":")
        port = int(port_s) if port_s.isdigit() else -1
        if not host or not 0 <= port <= 65535:
            self.problem(
                "web.listen", f"expected host:port with a port from 0 to 65535, got {listen!r}"
            )
        key = self.string("web", t, "secret_key_file")
        return WebSettings(
            host=host.strip("[]"),
            port=port,
            secret_key_file=self.path_of(key) if key else storage.files.parent / "web.key",
            session_hours=self.number("web", t, "session_hours", 12, 0.1, 24 * 30, integer=False),
        )

    def ekasa(self, t: dict[str, Any]) -> EkasaSettings:
        self.unknown("ekasa", t, _EKASA)
        url = self.url("ekasa", t, "url", EKASA_URL)
        return EkasaSettings(
            lookup=self.boolean("ekasa", t, "lookup", False),
            url=url,
            timeout=self.number("ekasa", t, "timeout", 5.0, 0.1, 120, integer=False),
        )

    def processing(self, t: dict[str, Any]) -> ProcessingSettings:
        self.unknown("processing", t, _PROCESSING)
        w = "processing"
        return ProcessingSettings(
            workers=int(self.number(w, t, "workers", 2, 1, 64)),
            document_timeout=self.number(w, t, "document_timeout", 60.0, 0.1, 3600, integer=False),
            document_memory_mb=int(self.number(w, t, "document_memory_mb", 1024, 64, 65536)),
            max_pages=int(self.number(w, t, "max_pages", 50, 1, 10000)),
            max_attempts=int(self.number(w, t, "max_attempts", 3, 1, 100)),
            node=self.string(w, t, "node") or socket.gethostname(),
        )

    def imap(self, where: str, t: dict[str, Any]) -> ImapAccount | None:
        self.unknown(where, t, _IMAP)
        security = self.string(where, t, "security", "tls") or "tls"
        if security not in ("tls", "starttls", "none"):
            self.problem(f"{where}.security", f"expected tls, starttls or none, got {security!r}")
        port = int(self.number(where, t, "port", 993 if security == "tls" else 143, 1, 65535))
        auth = self.string(where, t, "auth", "password") or "password"
        oauth2, password = None, None
        if auth == "oauth2":
            for key in ("password", "password_env", "password_file"):
                if key in t:
                    self.problem(f"{where}.{key}", 'an auth = "oauth2" account has no password')
            oauth2 = self.oauth2(where, t)
        else:
            if auth != "password":
                self.problem(f"{where}.auth", f'expected "password" or "oauth2", got {auth!r}')
            for key in sorted(k for k in t if k.startswith("oauth2_")):
                self.problem(f"{where}.{key}", 'needs auth = "oauth2"')
            password = self.secret(where, t, "password", required=True)
        processed = self.string(where, t, "processed_folder")
        address = self.string(where, t, "address")
        if address and "@" not in address:
            self.problem(f"{where}.address", f"not an e-mail address: {address!r}")
        account = ImapAccount(
            name=self.string(where, t, "name", required=True) or "",
            host=self.string(where, t, "host", required=True) or "",
            port=port,
            security=security,
            username=self.string(where, t, "username", required=True) or "",
            password=password or Secret(where),  # None was reported: load() raises
            folder=self.string(where, t, "folder", "INBOX") or "INBOX",
            processed_folder=processed,
            poll_seconds=self.number(where, t, "poll_seconds", 60, 1, 86400, integer=False),
            address=address,
            oauth2=oauth2,
        )
        return account

    def oauth2(self, where: str, t: dict[str, Any]) -> OAuth2Settings | None:
        provider = self.string(where, t, "oauth2_provider", "microsoft") or "microsoft"
        client_id = self.string(where, t, "oauth2_client_id", required=True) or ""
        token_file = self.string(where, t, "oauth2_token_file", required=True)
        tenant = self.string(where, t, "oauth2_tenant", "common") or "common"
        if "oauth2_tenant" in t and provider != "microsoft":
            self.problem(f"{where}.oauth2_tenant", 'only for oauth2_provider = "microsoft"')
        if provider in OAUTH2_PROVIDERS:
            token_tpl, device_tpl, default_scope = OAUTH2_PROVIDERS[provider]
            token_url = self.url(where, t, "oauth2_token_url", token_tpl.format(tenant=tenant))
            device_url = self.url(where, t, "oauth2_device_url", device_tpl.format(tenant=tenant))
        elif provider == "custom":
            token_url = self.url(where, t, "oauth2_token_url", None)
            device_url = self.url(where, t, "oauth2_device_url", None)
            default_scope = ""
        else:
            self.problem(
                f"{where}.oauth2_provider",
                f"expected microsoft, google or custom, got {provider!r}",
            )
            return None
        secret = self.secret(where, t, "oauth2_client_secret", required=provider == "google")
        if token_file is None:
            return None
        return OAuth2Settings(
            provider=provider,
            client_id=client_id,
            token_url=token_url,
            device_url=device_url,
            scope=self.string(where, t, "oauth2_scope", default_scope) or default_scope,
            token_file=self.path_of(token_file),
            client_secret=secret,
        )

    def url(self, where: str, t: Mapping[str, Any], key: str, default: str | None) -> str:
        """An http(s) URL (`default` None: required)."""
        value = self.string(where, t, key, default, required=default is None) or ""
        if value and not re.match(r"https?://[^/\s]+", value):
            self.problem(f"{where}.{key}", f"expected an http:// or https:// URL, got {value!r}")
        return value

    def secret(self, where: str, t: dict[str, Any], key: str, required: bool) -> Secret | None:
        """`KEY_env` or `KEY_file` (never `KEY` itself in the file)."""
        env_key, file_key = f"{key}_env", f"{key}_file"
        if key in t:
            self.problem(
                f"{where}.{key}",
                f"never put the {key.replace('_', ' ')} in the file: use {env_key} or {file_key}",
            )
        env_name, file_name = self.string(where, t, env_key), self.string(where, t, file_key)
        if env_name and file_name:
            self.problem(f"{where}.{env_key}", f"give {env_key} or {file_key}, not both")
        if env_name:
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", env_name):
                self.problem(f"{where}.{env_key}", f"not a variable name: {env_name!r}")
            return Secret(f"{where}.{env_key}", env=env_name)
        if file_name:
            return Secret(f"{where}.{file_key}", file=self.path_of(file_name))
        if required:
            self.problem(f"{where}", f"missing {env_key} or {file_key}")
        return None

    def company(self, where: str, t: dict[str, Any]) -> Company | None:
        self.unknown(where, t, _COMPANY)
        ico = (self.string(where, t, "ico", required=True) or "").replace(" ", "")
        if ico and not is_valid_ico(ico):
            self.problem(
                f"{where}.ico", f"{ico!r} is not a valid IČO (8 digits, mod-11 check digit)"
            )
        dic = self.string(where, t, "dic")
        if dic and not re.fullmatch(r"(?:[A-Z]{2})?\d{8,10}", dic):
            self.problem(f"{where}.dic", f"{dic!r} is not a DIČ (10 digits; CZ + 8 to 10 digits)")
        ic_dph = self.string(where, t, "ic_dph")
        if ic_dph and not is_valid_vat_id(ic_dph):
            self.problem(f"{where}.ic_dph", f"{ic_dph!r} is not a valid IČ DPH / VAT id")
        addresses: dict[Mailbox, str] = {}
        table = t.get("addresses", {})
        if not isinstance(table, dict) or not table:
            self.problem(
                f"{where}.addresses",
                "expected a table with receipts, incoming_invoices, outgoing_invoices",
            )
            table = {}
        self.unknown(f"{where}.addresses", table, {m.value for m in Mailbox})
        for mailbox in Mailbox:
            value = self.string(f"{where}.addresses", table, mailbox.value)
            if value is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
                self.problem(
                    f"{where}.addresses.{mailbox.value}", f"not an e-mail address: {value!r}"
                )
            elif value is not None:
                addresses[mailbox] = value
        series = self.series(f"{where}.series", t.get("series", {}))
        return Company(
            self.string(where, t, "name", required=True) or "", ico, dic, ic_dph, addresses, series
        )

    def series(self, where: str, t: object) -> dict[DocType, str]:
        if not isinstance(t, dict):
            self.problem(where, "expected a table")
            return {}
        out: dict[DocType, str] = {}
        for key, pattern in t.items():
            if key not in {d.value for d in DocType}:
                self.problem(
                    f"{where}.{key}",
                    "unknown key (expected a doc_type such as invoice, credit_note)",
                )
            elif not isinstance(pattern, str) or not pattern:
                self.problem(f"{where}.{key}", "expected a pattern such as OF{YYYY}{NNNN}")
            else:
                bad = [
                    tok
                    for tok in _SERIES_TOKEN.findall(pattern)
                    if tok not in ("YYYY", "YY", "N") and set(tok) != {"N"}
                ]
                if bad:
                    self.problem(
                        f"{where}.{key}",
                        f"unknown placeholder {{{bad[0]}}} (use {{YYYY}}, {{YY}}, {{NNNN}}, {{N}})",
                    )
                else:
                    out[DocType(key)] = pattern
        return out

    def cross_checks(self, companies: tuple[Company, ...], imap: tuple[ImapAccount, ...]) -> None:
        owner: dict[str, str] = {}
        for i, company in enumerate(companies):
            for mailbox, address in company.addresses.items():
                key = normalize_address(address)
                where = f"company[{i}].addresses.{mailbox.value}"
                if key in owner:
                    self.problem(where, f"{address} is already used at {owner[key]}")
                else:
                    owner[key] = where
        seen_ico: dict[str, int] = {}
        for i, company in enumerate(companies):
            if company.ico in seen_ico:
                self.problem(
                    f"company[{i}].ico",
                    f"{company.ico} is already company[{seen_ico[company.ico]}]",
                )
            seen_ico.setdefault(company.ico, i)
        names: set[str] = set()
        for i, account in enumerate(imap):
            if account.name in names:
                self.problem(f"imap[{i}].name", f"{account.name!r} is used twice")
            names.add(account.name)
            if account.address and normalize_address(account.address) not in owner:
                self.problem(f"imap[{i}].address", f"{account.address} belongs to no company")
