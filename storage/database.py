"""The database under the inbox: engines, schema migrations, locks, and its errors.

Exceptions (raised by everything in `storage`; SQLAlchemy's never leave it):

    StorageError            the inbox cannot be opened or written (a bad URL, a refused schema)
    ├── StorageUnavailable  the database does not answer now: try again later, the message waits
    └── StorageConflict     another writer got there first (a unique constraint): decide again

Concurrency. Several writers — worker threads, `serve` nodes, CLI commands — share one
database. Uniqueness is enforced by constraints; decisions that read before they write (is this
number known? which documents does it link to?) are serialised per issuer: `lock_issuers`
takes a transaction-scoped lock on each (company, issuer) the transaction is about to decide
on, always in sorted order so two transactions never wait on each other in a cycle. On
PostgreSQL that is `pg_advisory_xact_lock` on a 64-bit hash of the pair; on SQLite every write
transaction already holds the database's one write lock from its start (`BEGIN IMMEDIATE`), so
there is nothing more to take. Schema migrations take the same kind of lock (one fixed key),
so any number of nodes and commands can start at once on an empty or an old database: the
first migrates, the others wait and find it done.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    DBAPIError,
    IntegrityError,
    OperationalError,
    ProgrammingError,
    SQLAlchemyError,
)

MIGRATIONS = Path(__file__).parent / "migrations"
HEAD = "0006"  # the newest migration (a test keeps it in step with storage/migrations)
_MIGRATION_LOCK = 0x706F646174656C6E  # "podateln": one key for schema changes


class StorageError(Exception):
    """The inbox cannot be opened or written."""


class StorageUnavailable(StorageError):
    """The database does not answer (down, unreachable, locked too long): try again later."""


class StorageConflict(StorageError):
    """A unique constraint fired: another writer stored the same thing first."""


@contextmanager
def translated() -> Iterator[None]:
    """SQLAlchemy's errors as ours, once, at the edge of `storage`."""
    try:
        yield
    except IntegrityError as exc:
        raise StorageConflict(_first_line(exc)) from exc
    except OperationalError as exc:
        raise StorageUnavailable(_first_line(exc)) from exc
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise StorageUnavailable(_first_line(exc)) from exc
        raise StorageError(_first_line(exc)) from exc
    except SQLAlchemyError as exc:
        raise StorageError(_first_line(exc)) from exc


def _first_line(exc: BaseException) -> str:
    text_ = str(getattr(exc, "orig", None) or exc)
    return (text_.splitlines()[0] if text_ else type(exc).__name__)[:300]


def lock_key(*parts: str) -> int:
    """A signed 64-bit key for PostgreSQL's advisory locks."""
    digest = hashlib.sha256("|".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def lock_issuers(conn: Connection, pairs: Iterable[tuple[str, str]]) -> None:
    """Hold, until the transaction ends, a lock on each (company, issuer) (module docstring)."""
    if conn.dialect.name != "postgresql":
        return  # SQLite: BEGIN IMMEDIATE already holds the only write lock
    for company, issuer in sorted(set(pairs)):
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_key(company, issuer)})


_BUSY_SECONDS = 30.0


def _write_ahead_log(cursor: Any) -> None:
    """The database in WAL mode, which it keeps once set. Where two connections open a new
    database at once (`serve` starting while a command reads), SQLite refuses the second
    one's switch at once rather than wait (its busy handler could deadlock there): "database
    is locked" from a command that only wanted to list the inbox. So the mode is read first
    and the switch asked again until the busy timeout."""
    deadline = time.monotonic() + _BUSY_SECONDS
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def make_engine(database: str) -> Engine:
    url = make_url(database)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": _BUSY_SECONDS})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout={int(_BUSY_SECONDS * 1000)}")
        _write_ahead_log(cursor)
        for pragma in ("synchronous=FULL", "foreign_keys=ON"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Take the write lock up front: two writers never deadlock upgrading read locks.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision, under the migration lock (module docstring).
    A schema already at `HEAD` is read in one query and Alembic is not even imported: every
    CLI command opens the store, and Alembic costs a quarter of a second."""
    if _current_revision(engine) == HEAD:
        return
    from alembic import command
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with translated(), engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def _current_revision(engine: Engine) -> str | None:
    with translated(), engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except (OperationalError, ProgrammingError):  # no table yet: a new database
            conn.rollback()
            return None


def ping(engine: Engine) -> None:
    with translated(), engine.connect() as conn:
        conn.execute(text("SELECT 1"))


def safe_url(database: str) -> str:
    try:
        return make_url(database).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable URL>"
