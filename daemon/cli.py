"""`podatelna` command line (../shared/CONTRACT.md). Exit 0 on success, 1 on a user error with
one clear line per problem on stderr and no traceback, 2 on usage (argparse)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from daemon import logs
from daemon.config import ConfigError, SecretMissing, Settings, config_path, load_settings
from daemon.configview import config_summary, render_config
from daemon.report import build_report, render_report
from daemon.spool import Spool, SpoolBusy, SpoolEntry, backlog
from daemon.views import (
    TABLE_COLUMNS,
    detail_json,
    document_json,
    render_detail,
    render_table,
    table_row,
)
from parsers.vocab import Mailbox, Status
from storage.store import ResolutionError, StorageError, Store, utcnow

if TYPE_CHECKING:
    from daemon.intake import IntakeResult

# Reading documents (PDFium, lxml, zxing) is imported only by the commands that read them:
# `inbox`, `report` and `user` start in a fraction of the time.


class UserError(Exception):
    """Something the user can fix: unknown id, missing file."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"podatelna: config: {problem}", file=sys.stderr)
    except (StorageError, SpoolBusy, UserError) as exc:
        print(f"podatelna: {exc}", file=sys.stderr)
    except KeyboardInterrupt:
        print("podatelna: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `podatelna inbox list | head`: the reader had enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="podatelna", description="Podateľňa: the accounting office's mailroom."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(
        name: str, func: Callable[[argparse.Namespace], int], help_: str, into: Any = sub
    ) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = into.add_parser(name, help=help_, description=help_)
        p.add_argument("--config", help="configuration file (default: $PODATELNA_CONFIG)")
        p.set_defaults(func=func)
        return p

    command(
        "serve",
        cmd_serve,
        "run the daemon: SMTP listener, spool, document workers (JSON logs on stdout)",
    )
    p = command(
        "ingest",
        cmd_ingest,
        "store .eml files (or folders of them) through the same pipeline as SMTP",
    )
    p.add_argument(
        "--to",
        action="append",
        metavar="ADDRESS",
        help="recipient when the file has no envelope (default: Delivered-To, X-Original-To, To, Cc)",
    )
    p.add_argument("paths", nargs="+", metavar="FILE", help=".eml file or folder")

    inbox = sub.add_parser("inbox", help="list, show and resolve documents in the office inbox")
    inbox_sub = inbox.add_subparsers(dest="inbox_command", required=True, metavar="ACTION")
    p = command("list", cmd_inbox_list, "list documents", inbox_sub)
    p.add_argument("--status", choices=[s.value for s in Status])
    p.add_argument("--company", metavar="ICO")
    p.add_argument("--mailbox", choices=[m.value for m in Mailbox])
    p.add_argument("--format", choices=["table", "json", "jsonl"], default="table")
    p = command("show", cmd_inbox_show, "show one document", inbox_sub)
    p.add_argument("id")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p = command("resolve", cmd_inbox_resolve, "decide on a document held for review", inbox_sub)
    p.add_argument("id")
    p.add_argument(
        "--action",
        required=True,
        choices=["resend", "accept", "reject"],
        help="resend: this version replaces the original; accept: take it as it is; reject: keep the original",
    )
    p.add_argument("--note", help="why (kept with the resolution)")
    p = command(
        "correct",
        cmd_inbox_correct,
        "replace extracted values with a person's; the document is checked again",
        inbox_sub,
    )
    p.add_argument("id")
    p.add_argument(
        "--set",
        dest="changes",
        action="append",
        required=True,
        type=_assignment,
        metavar="FIELD=VALUE",
        help="e.g. number=OF20250012, total=123.40, supplier.ico=12345678, "
        'vat=[{"rate":"23","base":"10.00","vat":"2.30"}]; an empty VALUE clears the field',
    )
    p.add_argument("--note", help="why (kept with each correction)")

    p = command(
        "report",
        cmd_report,
        "import summary: new, changed, needs review, failed, resolved; IMAP health",
    )
    p.add_argument(
        "--since",
        type=_date,
        metavar="YYYY-MM-DD",
        help="only documents stored on or after this day",
    )
    p.add_argument("--company", metavar="ICO")
    p.add_argument("--format", choices=["table", "json"], default="table")

    users = sub.add_parser("user", help="people who may use the review page")
    users_sub = users.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    p = command(
        "add",
        cmd_user_add,
        "add a user (or set a new password): the password is read from stdin, one line",
        users_sub,
    )
    p.add_argument("name")
    command("web", cmd_web, "serve the office's review page and JSON API on [web] listen")

    imap = sub.add_parser("imap", help="IMAP mailboxes")
    imap_sub = imap.add_subparsers(dest="imap_command", required=True, metavar="ACTION")
    p = command(
        "authorize",
        cmd_imap_authorize,
        "OAuth2 device-code sign-in for [[imap]] NAME: prints a URL and a code, waits, "
        "stores the refresh token in oauth2_token_file",
        imap_sub,
    )
    p.add_argument("name", metavar="NAME")

    p = command(
        "check-config",
        cmd_check_config,
        "validate the configuration and print what was understood (secrets only by where they live)",
    )
    p.add_argument("--format", choices=["table", "json"], default="table")
    return parser


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {text!r}") from None


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(config_path(args.config))


def _store(settings: Settings) -> Store:
    return Store.open(settings.storage.database, settings.storage.files)


# ---- commands ----------------------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> int:
    import asyncio

    from daemon.app import serve

    settings = _settings(args)
    # Before a port is bound or the spool touched: the daemon needs every secret it will use.
    missing = settings.missing_secrets()
    if missing:
        raise SecretMissing(missing)
    logs.configure(sys.stdout)
    return asyncio.run(serve(settings))


def cmd_inbox_resolve(args: argparse.Namespace) -> int:
    settings = _settings(args)
    logs.configure(sys.stderr)
    store = _store(settings)
    try:
        doc = store.resolve(args.id, args.action, args.note, _who())
    except ResolutionError as exc:
        raise UserError(str(exc)) from None
    finally:
        store.close()
    for event in ("document_resolved",):
        logs.get_logger().info(
            event,
            document_id=doc.id,
            action=args.action,
            status=doc.status,
            company=doc.company,
            mailbox=doc.mailbox,
        )
    print(f"{doc.id}: {doc.status} ({args.action})")
    return 0


def _assignment(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected FIELD=VALUE, got {text!r}")
    return name.strip(), value


def cmd_inbox_correct(args: argparse.Namespace) -> int:
    from daemon.corrections import correct
    from parsers.corrections import InvalidCorrection

    settings = _settings(args)
    logs.configure(sys.stderr)
    store = _store(settings)
    try:
        doc = correct(store, settings, args.id, dict(args.changes), args.note, _who())
    except (InvalidCorrection, ResolutionError) as exc:
        raise UserError(str(exc)) from None
    finally:
        store.close()
    logs.get_logger().info(
        "document_corrected", document_id=doc.id, status=doc.status, flags=list(doc.flags)
    )
    print(f"{doc.id}: {doc.status}" + (f" ({', '.join(doc.flags)})" if doc.flags else ""))
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    from daemon.websession import hash_password

    name = args.name.strip()
    if not re.fullmatch(r"[\w.@+-]{1,100}", name):
        raise UserError(f"a user name is 1 to 100 letters, digits or . @ + - _, got {args.name!r}")
    if sys.stdin.isatty():
        print(f"password for {name}: ", end="", file=sys.stderr, flush=True)
    line = sys.stdin.readline().rstrip("\r\n")
    try:
        hashed = hash_password(line)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    settings = _settings(args)
    store = _store(settings)
    try:
        new = store.set_user(name, hashed)
    finally:
        store.close()
    print(f"user {name} {'added' if new else 'has a new password'}")
    return 0


def cmd_web(args: argparse.Namespace) -> int:
    import uvicorn

    from daemon.web import create_app
    from daemon.workers import WorkerPool

    settings = _settings(args)
    logs.configure(sys.stdout)
    store = _store(settings)
    p = settings.processing
    pool = WorkerPool(1, p.document_timeout, p.document_memory_mb, p.max_pages)
    pool.start()
    try:
        app = create_app(settings, store, pool)
        w = settings.web
        logs.get_logger().info("web_listening", host=w.host, port=w.port)
        # uvicorn shuts down gracefully on SIGTERM/SIGINT, then raises the signal again under
        # the handler it found: with that one "ignore", the command exits 0 like `serve`.
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, signal.SIG_IGN)
        uvicorn.run(
            app,
            host=w.host,
            port=w.port,
            log_config=None,  # our JSON logs (daemon.logs) carry uvicorn's lines too
            access_log=False,
            proxy_headers=True,  # X-Forwarded-Proto from the TLS proxy on this host: Secure cookies
            forwarded_allow_ips="127.0.0.1",
            server_header=False,
        )
    finally:
        pool.close()
        store.close()
    logs.get_logger().info("web_stopped")
    return 0


def _who() -> str:
    return (
        os.environ.get("SUDO_USER")
        or os.environ.get("USER")
        or os.environ.get("LOGNAME")
        or "unknown"
    )


def cmd_report(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if args.company and settings.company(args.company) is None:
        raise UserError(f"no company with IČO {args.company} in the configuration")
    store = _store(settings)
    try:
        docs = store.documents(company=args.company)
        imap = store.imap_status()
        nodes = store.nodes()
    finally:
        store.close()
    pending = backlog(settings.storage.spool)
    report = build_report(docs, settings.companies, imap, pending, args.since, args.company, nodes)
    if args.format == "json":
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print(render_report(report))
    return 0


def cmd_imap_authorize(args: argparse.Namespace) -> int:
    from daemon.oauth2 import OAuth2Error, authorize

    settings = _settings(args)
    account = next((a for a in settings.imap if a.name == args.name), None)
    if account is None:
        names = ", ".join(a.name for a in settings.imap) or "none"
        raise UserError(f"no [[imap]] account named {args.name!r} (configured: {names})")
    if account.oauth2 is None:
        raise UserError(
            f'[[imap]] {args.name!r} signs in with a password (auth = "oauth2" to use this)'
        )
    client_secret = account.oauth2.client_secret
    if client_secret is not None and (problem := client_secret.problem()) is not None:
        raise SecretMissing([problem])
    try:
        authorize(account.oauth2, say=lambda line: print(line, flush=True))
    except OAuth2Error as exc:
        raise UserError(str(exc)) from None
    return 0


def cmd_check_config(args: argparse.Namespace) -> int:
    summary = config_summary(_settings(args))
    if args.format == "json":
        json.dump(summary, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print(render_config(summary))
    return 0


def _eml_files(paths: Sequence[str]) -> list[Path]:
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.eml") if p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            raise UserError(f"no such file or folder: {name}")
    if not files:
        raise UserError("no .eml files found in " + ", ".join(paths))
    return files


def cmd_ingest(args: argparse.Namespace) -> int:
    settings = _settings(args)
    files = _eml_files(args.paths)
    logs.configure(sys.stderr)
    store = _store(settings)
    try:
        return asyncio.run(_ingest(settings, store, files, tuple(args.to) if args.to else None))
    finally:
        store.close()


async def _ingest(
    settings: Settings, store: Store, files: list[Path], to: tuple[str, ...] | None
) -> int:
    """The path `serve` takes: each file recorded in a spool (ingest's own), then the one
    runner, with the same bounded worker processes (a hostile PDF must not hang or kill the
    CLI) and the same retries and quarantine, without waiting between attempts. One reader:
    files are committed in the order given (the first of two versions is the original)."""
    from daemon.runner import Processor
    from daemon.spool import FileOrigin
    from daemon.workers import WorkerPool

    counts = {"new": 0, "redelivery": 0, "edited_after_issue": 0, "needs_review": 0, "failed": 0}
    spool = Spool.for_ingest(settings.storage.spool, store.blobs)
    p = settings.processing
    pool = WorkerPool(1, p.document_timeout, p.document_memory_mb, p.max_pages)
    pool.start()
    progress = _Progress(len(files))
    names: dict[str, str] = {}

    def done(entry: SpoolEntry, result: IntakeResult) -> None:
        _count(counts, result)
        progress.step(names.get(entry.id, "an earlier ingest's file"))

    processor = Processor(
        settings, store, spool, pool, readers=1, retry_delays=(0.0,), on_done=done
    )
    try:
        adopted = spool.pending()
        if adopted:
            logs.get_logger().info("ingest_resumed", messages=len(adopted))
        runner = asyncio.create_task(processor.run())
        for entry in adopted:
            processor.submit(entry)
        for path in files:
            try:
                raw = path.read_bytes()
            except OSError as exc:
                logs.get_logger().error("file_unreadable", filename=str(path), error=exc.strerror)
                counts["failed"] += 1
                continue
            entry = await asyncio.to_thread(spool.put, raw, FileOrigin(path.name, to), utcnow())
            names[entry.id] = path.name
            processor.submit(entry)
        progress.total = len(files) + len(adopted)
        await processor.idle.wait()
        processor.stop()
        await runner
    finally:
        pool.close()
        spool.discard()
    if processor.unavailable is not None:
        raise processor.unavailable
    progress.done()
    also = f" (and {len(adopted)} left by an interrupted ingest)" if adopted else ""
    print(
        f"ingested {len(files)} file(s){also}: {counts['new']} new document(s), {counts['edited_after_issue']} "
        f"edited after issue, {counts['redelivery']} redelivered, {counts['needs_review']} need review, "
        f"{counts['failed']} failed"
    )
    return 1 if counts["failed"] else 0


def _count(counts: dict[str, int], result: IntakeResult) -> None:
    for item in result.items:
        counts[item.outcome] += 1
        if item.status == Status.NEEDS_REVIEW:
            counts["needs_review"] += 1


class _Progress:
    """One line on stderr now and then, for runs long enough to wonder about."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done_count = 0
        self.started = self.last = time.monotonic()

    def step(self, name: str) -> None:
        self.done_count += 1
        now = time.monotonic()
        if self.total >= 20 and now - self.last >= 2.0:
            self.last = now
            rate = self.done_count / max(now - self.started, 1e-6)
            left = (self.total - self.done_count) / rate
            print(
                f"progress: {self.done_count}/{self.total} files, {rate:.1f}/s, ~{left:.0f} s left ({name})",
                file=sys.stderr,
                flush=True,
            )

    def done(self) -> None:
        if self.total >= 20:
            print(
                f"progress: {self.done_count}/{self.total} files in {time.monotonic() - self.started:.1f} s",
                file=sys.stderr,
                flush=True,
            )


def cmd_inbox_list(args: argparse.Namespace) -> int:
    store = _store(_settings(args))
    try:
        docs = store.documents(status=args.status, company=args.company, mailbox=args.mailbox)
    finally:
        store.close()
    if args.format == "json":
        json.dump([document_json(d) for d in docs], sys.stdout, ensure_ascii=False, indent=2)
        print()
    elif args.format == "jsonl":
        for line in _jsonl(document_json(d) for d in docs):
            print(line)
    else:
        print(render_table(TABLE_COLUMNS, [table_row(d) for d in docs]))
        print(f"{len(docs)} document(s)")
    return 0


def _jsonl(items: Iterator[dict[str, Any]]) -> Iterator[str]:
    for item in items:
        yield json.dumps(item, ensure_ascii=False)


def cmd_inbox_show(args: argparse.Namespace) -> int:
    store = _store(_settings(args))
    try:
        doc = store.document(args.id)
    finally:
        store.close()
    if doc is None:
        raise UserError(f"no document with id {args.id}")
    if args.format == "json":
        json.dump(detail_json(doc), sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print(render_detail(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
