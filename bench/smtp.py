"""SMTP throughput and latency of `podatelna serve` against a do-nothing aiosmtpd sink, one run.

    .venv/bin/python bench/smtp.py [--messages 400] [--connections 8]

Both servers get the same ~50 KB messages (a 1-page invoice PDF each, all different) from N
parallel smtplib connections. Prints messages/s for each, their ratio, p50/p95 from the final
dot to the 250, and (podatelna only) from the dot to the document being stored and classified.
Targets (issue 3): ratio >= 0.5, p95 dot->250 < 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import smtplib
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from tests.conftest import config_text, free_port  # noqa: E402
from tests.docgen import INCOMING, LAYOUTS, build_eml, make_doc  # noqa: E402

SINK = textwrap.dedent("""
    import asyncio, signal, sys
    from aiosmtpd.smtp import SMTP
    class Null:
        async def handle_DATA(self, server, session, envelope):
            return "250 2.0.0 OK"
    async def main(port):
        loop = asyncio.get_running_loop()
        srv = await loop.create_server(lambda: SMTP(Null(), hostname="sink", data_size_limit=30_000_000),
                                       "127.0.0.1", port)
        stop = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        print("READY", flush=True)
        await stop.wait()
    asyncio.run(main(int(sys.argv[1])))
""")


def messages(n: int) -> list[tuple[str, bytes]]:
    out = []
    layouts = list(LAYOUTS.values())
    for i in range(n):
        doc = make_doc(10_000 + i, number=f"B{i:06d}")
        pdf = layouts[i % len(layouts)](doc)
        mid = f"bench-{i}@podatelna.test"
        eml = build_eml(
            INCOMING,
            [(f"faktura-{i}.pdf", pdf, "application/pdf")],
            message_id=mid,
            subject=f"Faktúra {i}",
            sender="faktury@dodavatel.example",
        )
        out.append((mid, eml))
    return out


def wait_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


def blast(
    port: int, msgs: list[tuple[str, bytes]], connections: int
) -> tuple[float, dict[str, float], list[float]]:
    """Send all; returns (seconds, dot time per message id, dot->250 latencies)."""
    queue = list(msgs)
    lock = threading.Lock()
    dots: dict[str, float] = {}
    latencies: list[float] = []
    errors: list[str] = []

    def worker() -> None:
        with smtplib.SMTP("127.0.0.1", port, timeout=60) as c:
            c.ehlo()
            while True:
                with lock:
                    if not queue:
                        return
                    mid, raw = queue.pop()
                c.mail("faktury@dodavatel.example")
                c.rcpt(INCOMING)
                # data() sends the body and the final dot, then waits for the reply
                t0 = time.time()
                code, _ = c.data(raw)
                t1 = time.time()
                with lock:
                    if code != 250:
                        errors.append(f"{mid}: {code}")
                    dots[mid] = t0
                    latencies.append(t1 - t0)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(f"{len(errors)} messages refused, e.g. {errors[0]}")
    return time.perf_counter() - start, dots, latencies


def pct(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100)[int(q) - 1] * 1000
        if len(values) > 1
        else values[0] * 1000
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=400)
    ap.add_argument("--connections", type=int, default=8)
    a = ap.parse_args()
    print(f"preparing {a.messages} invoice messages ...", file=sys.stderr)
    msgs = messages(a.messages)
    avg = sum(len(m) for _, m in msgs) / len(msgs)

    port = free_port()
    sink = subprocess.Popen([sys.executable, "-c", SINK, str(port)], stdout=subprocess.PIPE)
    try:
        assert sink.stdout is not None and sink.stdout.readline().strip() == b"READY"
        sink_s, _, sink_lat = blast(port, msgs, a.connections)
    finally:
        sink.send_signal(signal.SIGTERM)
        sink.wait()

    work = Path(tempfile.mkdtemp(prefix="podatelna-bench-"))
    port = free_port()
    db = f"sqlite:///{work / 'inbox.sqlite3'}"
    (work / "config.toml").write_text(config_text(db, work / "files", smtp_port=port))
    serve = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "podatelna"),
            "serve",
            "--config",
            str(work / "config.toml"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_port(port)
        start = time.perf_counter()
        smtp_s, dots, lat = blast(port, msgs, a.connections)
        engine = create_engine(db)
        while True:
            with engine.connect() as conn:
                rows = conn.execute(
                    text(
                        "SELECT m.message_id, d.created_at FROM documents d JOIN messages m ON m.sha256 = d.message_sha256"
                    )
                ).all()
            if len(rows) >= len(msgs):
                break
            if time.perf_counter() - start > 600:
                raise RuntimeError(f"only {len(rows)} of {len(msgs)} documents after 600 s")
            time.sleep(0.1)
        total_s = time.perf_counter() - start
        visible = [
            datetime.fromisoformat(str(ts)).timestamp() - dots[mid]
            for mid, ts in rows
            if mid in dots
        ]
        with engine.connect() as conn:
            statuses = dict(
                conn.execute(text("SELECT status, count(*) FROM documents GROUP BY status")).all()
            )
        engine.dispose()
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=60)
        shutil.rmtree(work, ignore_errors=True)

    sink_rate = len(msgs) / sink_s
    smtp_rate = len(msgs) / smtp_s
    stored_rate = len(msgs) / total_s
    print(
        f"{len(msgs)} messages of ~{avg / 1024:.0f} KB, {a.connections} connections, {os.cpu_count()} cores"
    )
    print(f"{'':34}{'msg/s':>8}{'p50 ms':>9}{'p95 ms':>9}")
    print(
        f"{'aiosmtpd do-nothing sink':34}{sink_rate:>8.0f}{pct(sink_lat, 50):>9.1f}{pct(sink_lat, 95):>9.1f}"
    )
    print(
        f"{'podatelna: dot -> 250 (spooled)':34}{smtp_rate:>8.0f}{pct(lat, 50):>9.1f}{pct(lat, 95):>9.1f}"
    )
    print(
        f"{'podatelna: dot -> stored+classified':34}{stored_rate:>8.0f}{pct(visible, 50):>9.1f}{pct(visible, 95):>9.1f}"
    )
    print(
        f"ratio accepted/sink {smtp_rate / sink_rate:.2f}; stored+classified/sink {stored_rate / sink_rate:.2f}"
        f" (target >= 0.5); statuses {json.dumps(statuses)}"
    )


if __name__ == "__main__":
    main()
