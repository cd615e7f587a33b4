"""SMTP throughput and latency of `podatelna serve` against a do-nothing aiosmtpd sink, one run.

    .venv/bin/python bench/smtp.py [--messages 400] [--connections 8] [--paced 20]
        [--soak 10000] [--nodes] [--profile]

Both servers get the same ~45 KB messages (a 1-page invoice PDF each, all different) from N
parallel smtplib connections. Prints messages/s for each, their ratio, p50/p95 from the final
dot to the 250 while the daemon processes at full rate, and from the dot to the document being
stored and classified. Then:
  --paced R   R messages/s for 10 s: dot -> stored p50/p95 (target p95 < 2 s at 20/s)
  --soak N    N messages; the daemon's resident memory (its process and its workers) after the
              first tenth and at the end (target flat within 10 %)
  --nodes     one node against two on one PostgreSQL, each its own spool and workers
  --profile   the top of a py-spy profile (GIL held) of the daemon during the throughput run
Targets (issue 16): stored+classified >= 0.3x the sink, acks p95 < 50 ms.
"""

from __future__ import annotations

import argparse
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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from tests.conftest import PostgresCluster, _pg_bin, config_text, free_port  # noqa: E402
from tests.docgen import INCOMING, LAYOUTS, build_eml, make_doc  # noqa: E402

PODATELNA = Path(sys.executable).parent / "podatelna"
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


def pdfs(n: int) -> list[bytes]:
    layouts = list(LAYOUTS.values())
    return [layouts[i % len(layouts)](make_doc(10_000 + i, number=f"B{i:06d}")) for i in range(n)]


def messages(
    n: int, pool: list[bytes] | None = None, tag: str = "bench"
) -> list[tuple[str, bytes]]:
    """`n` messages, each its own PDF. Rendering a PDF takes ~0.15 s, so beyond `pool` the
    PDFs are reused with a unique comment after %%EOF: other bytes, the same print (the
    daemon then holds them as edited after issue — all of the intake's path, and more)."""
    pool = pool or pdfs(n)
    out = []
    for i in range(n):
        pdf = pool[i % len(pool)]
        if i >= len(pool):
            pdf += f"\n% copy {i}\n".encode()
        mid = f"{tag}-{i}@podatelna.test"
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
    ports: list[int], msgs: list[tuple[str, bytes]], connections: int
) -> tuple[float, dict[str, float], list[float]]:
    """Send all over `connections` spread across `ports`; returns (seconds, dot time per
    message id, dot->250 latencies)."""
    queue = list(msgs)
    lock = threading.Lock()
    dots: dict[str, float] = {}
    latencies: list[float] = []
    errors: list[str] = []

    def worker(port: int) -> None:
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

    threads = [
        threading.Thread(target=worker, args=(ports[i % len(ports)],)) for i in range(connections)
    ]
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


class Node:
    """One `podatelna serve` with its own port, spool and workers."""

    def __init__(self, work: Path, database: str, files: Path) -> None:
        self.work = work
        self.port = free_port()
        work.mkdir(parents=True, exist_ok=True)
        config = work / "config.toml"
        config.write_text(
            config_text(database, files, smtp_port=self.port, spool=work / "spool")
            + f'[processing]\nnode = "{work.name}"\n'
        )
        self.proc = subprocess.Popen(
            [str(PODATELNA), "serve", "--config", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_port(self.port)

    def pids(self) -> list[int]:
        """The daemon's process, then its workers'."""
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [self.proc.pid] + [int(p) for p in children.read_text().split()]

    def cpu_seconds(self) -> tuple[float, float]:
        """CPU time (user + system) used so far by the daemon's process and by its workers."""
        tick = os.sysconf("SC_CLK_TCK")
        used = []
        for pid in self.pids():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            used.append((int(fields[11]) + int(fields[12])) / tick)
        return used[0], sum(used[1:])

    def rss_mb(self) -> tuple[float, float]:
        """Resident memory of the daemon's process and of its workers, MB."""
        sizes = []
        for pid in self.pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        return sizes[0], sum(sizes[1:])

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)


@contextmanager
def nodes(count: int, database: str | None = None) -> Iterator[tuple[list[Node], str]]:
    work = Path(tempfile.mkdtemp(prefix="podatelna-bench-"))
    db = database or f"sqlite:///{work / 'inbox.sqlite3'}"
    started = [Node(work / f"node{i}", db, work / "files") for i in range(count)]
    try:
        yield started, db
    finally:
        for node in started:
            node.stop()
        shutil.rmtree(work, ignore_errors=True)


def stored(db: str, want: int, limit: float = 900) -> list[tuple[str, datetime]]:
    """(message id, stored at) of every document, once there are `want` of them."""
    engine = create_engine(db)
    deadline = time.perf_counter() + limit
    try:
        while True:
            with engine.connect() as conn:
                rows = conn.execute(
                    text(
                        "SELECT m.message_id, d.created_at FROM documents d"
                        " JOIN messages m ON m.sha256 = d.message_sha256"
                    )
                ).all()
            if len(rows) >= want:
                return [(mid, datetime.fromisoformat(str(ts))) for mid, ts in rows]
            if time.perf_counter() > deadline:
                raise RuntimeError(f"only {len(rows)} of {want} documents after {limit:g} s")
            time.sleep(0.1)
    finally:
        engine.dispose()


def seconds_to_stored(rows: list[tuple[str, datetime]], dots: dict[str, float]) -> list[float]:
    return [ts.timestamp() - dots[mid] for mid, ts in rows if mid in dots]


def sink_rate(msgs: list[tuple[str, bytes]], connections: int) -> tuple[float, list[float]]:
    port = free_port()
    sink = subprocess.Popen([sys.executable, "-c", SINK, str(port)], stdout=subprocess.PIPE)
    try:
        assert sink.stdout is not None and sink.stdout.readline().strip() == b"READY"
        seconds, _, latencies = blast([port], msgs, connections)
    finally:
        sink.send_signal(signal.SIGTERM)
        sink.wait()
    return len(msgs) / seconds, latencies


@dataclass
class Run:
    accepted: float  # messages/s answered 250
    done: float  # messages/s stored and classified
    acks: list[float]  # dot -> 250, s
    visible: list[float]  # dot -> stored, s
    cpu_ms: tuple[float, float]  # CPU per message: the daemon's process, its workers
    profile: list[str]


def throughput(
    msgs: list[tuple[str, bytes]],
    connections: int,
    count: int = 1,
    database: str | None = None,
    profile: bool = False,
) -> Run:
    with nodes(count, database) as (started, db):
        spy = _spy(started[0]) if profile else None
        cpu = [n.cpu_seconds() for n in started]
        start = time.perf_counter()
        seconds, dots, latencies = blast([n.port for n in started], msgs, connections)
        rows = stored(db, len(msgs))
        total = time.perf_counter() - start
        used = [
            (after[0] - before[0], after[1] - before[1])
            for before, after in zip(cpu, [n.cpu_seconds() for n in started], strict=True)
        ]
        top = _top(spy) if spy is not None else []
    main, workers = (sum(u[i] for u in used) * 1000 / len(msgs) for i in (0, 1))
    return Run(
        len(msgs) / seconds,
        len(msgs) / total,
        latencies,
        seconds_to_stored(rows, dots),
        (main, workers),
        top,
    )


def paced(msgs: list[tuple[str, bytes]], rate: float) -> tuple[list[float], list[float]]:
    """dot -> 250 and dot -> stored latencies at a steady `rate` of messages/s."""
    with nodes(1) as ([node], db):
        dots: dict[str, float] = {}
        acks: list[float] = []
        start = time.perf_counter()
        for i, (mid, raw) in enumerate(msgs):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            with smtplib.SMTP("127.0.0.1", node.port, timeout=60) as c:
                c.ehlo()
                c.mail("faktury@dodavatel.example")
                c.rcpt(INCOMING)
                dots[mid] = time.time()
                c.data(raw)
                acks.append(time.time() - dots[mid])
        return acks, seconds_to_stored(stored(db, len(msgs)), dots)


def soak(msgs: list[tuple[str, bytes]], connections: int) -> list[tuple[int, float, float]]:
    """(messages stored, resident MB of the daemon's process, of its workers) after each
    tenth of `msgs`."""
    tenth = max(len(msgs) // 10, 1)
    samples = []
    with nodes(1) as ([node], db):
        for start in range(0, len(msgs), tenth):
            blast([node.port], msgs[start : start + tenth], connections)
            done = min(start + tenth, len(msgs))
            stored(db, done, limit=3600)
            samples.append((done, *node.rss_mb()))
    return samples


def _spy(node: Node) -> subprocess.Popen[bytes] | None:
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(spy).exists():
        print("(py-spy is not installed: pip install py-spy)", file=sys.stderr)
        return None
    out = node.work / "profile.txt"
    time.sleep(3)  # past the start-up (schema check, imports)
    return subprocess.Popen(
        [
            spy,
            "record",
            "--gil",
            "-r",
            "200",
            "-f",
            "raw",
            "-o",
            str(out),
            "-p",
            str(node.proc.pid),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _top(spy: subprocess.Popen[bytes], lines: int = 15) -> list[str]:
    """The functions the daemon held the GIL in most (inclusive), from py-spy's raw output."""
    spy.send_signal(signal.SIGINT)
    spy.wait(timeout=60)
    path = Path(spy.args[spy.args.index("-o") + 1])  # type: ignore[index, union-attr, arg-type]
    counts: dict[str, int] = {}
    total = 0
    for line in path.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        total += int(n)
        for frame in set(stack.split(";")):
            name = (
                frame.split(" (")[0] + " (" + frame.split(" (")[-1].split(":")[0].rstrip(")") + ")"
            )
            counts[name] = counts.get(name, 0) + int(n)
    ours = ("daemon/", "storage/", "parsers/", "routing/", "aiosmtpd/", "sqlalchemy/")
    skip = ("main (daemon/cli.py)", "cmd_serve (daemon/cli.py)")
    ranked = sorted(
        ((n, f) for f, n in counts.items() if any(o in f for o in ours) and f not in skip),
        reverse=True,
    )
    return [f"{100 * n / max(total, 1):5.1f} %  {f}" for n, f in ranked[:lines]]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=400)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--paced", type=float, default=0, help="messages/s for the latency run")
    ap.add_argument("--soak", type=int, default=0, help="messages for the memory run")
    ap.add_argument("--nodes", action="store_true", help="one node against two on PostgreSQL")
    ap.add_argument("--profile", action="store_true")
    a = ap.parse_args()
    print(f"preparing {a.messages} invoice messages ...", file=sys.stderr)
    pool = pdfs(a.messages)
    msgs = messages(a.messages, pool)
    avg = sum(len(m) for _, m in msgs) / len(msgs)

    sink, sink_lat = sink_rate(msgs, a.connections)
    run = throughput(msgs, a.connections)
    accepted, done, lat, visible = run.accepted, run.done, run.acks, run.visible
    print(
        f"{len(msgs)} messages of ~{avg / 1024:.0f} KB, {a.connections} connections, {os.cpu_count()} cores"
    )
    print(f"{'':38}{'msg/s':>8}{'p50 ms':>9}{'p95 ms':>9}")
    print(
        f"{'aiosmtpd do-nothing sink':38}{sink:>8.0f}{pct(sink_lat, 50):>9.1f}{pct(sink_lat, 95):>9.1f}"
    )
    print(
        f"{'podatelna: dot -> 250 (spooled)':38}{accepted:>8.0f}{pct(lat, 50):>9.1f}{pct(lat, 95):>9.1f}"
    )
    print(
        f"{'podatelna: dot -> stored+classified':38}{done:>8.0f}{pct(visible, 50):>9.1f}{pct(visible, 95):>9.1f}"
    )
    print(
        f"ratio accepted/sink {accepted / sink:.2f}; stored+classified/sink {done / sink:.2f}"
        " (target >= 0.3; acks p95 < 50 ms)"
    )
    print(
        f"CPU per message: {run.cpu_ms[0]:.1f} ms in the daemon's process,"
        f" {run.cpu_ms[1]:.1f} ms in its workers ({os.cpu_count()} cores for both and the client)"
    )
    if a.profile:  # a run of its own: sampling slows the daemon down
        top = throughput(
            messages(a.messages, pool, tag="profile"), a.connections, profile=True
        ).profile
        print("profile of the daemon, share of the time it held the GIL (inclusive):")
        print("\n".join("  " + line for line in top))
    if a.paced:
        n = int(a.paced * 10)
        acks, steady = paced(messages(n, pool, tag="paced"), a.paced)
        print(
            f"{a.paced:g} msg/s for 10 s: dot -> 250 p95 {pct(acks, 95):.0f} ms; dot -> stored"
            f" p50 {pct(steady, 50):.0f} ms, p95 {pct(steady, 95):.0f} ms (target p95 < 2000 ms)"
        )
    if a.soak:
        samples = soak(messages(a.soak, pool, tag="soak"), a.connections)
        (_, main0, work0), (_, main1, work1) = samples[0], samples[-1]
        print(
            f"resident memory over {a.soak} messages, after the first tenth -> at the end:"
            f" daemon {main0:.0f} -> {main1:.0f} MB ({100 * (main1 - main0) / main0:+.1f} %),"
            f" workers {work0:.0f} -> {work1:.0f} MB ({100 * (work1 - work0) / work0:+.1f} %)"
            " (target within 10 %)"
        )
        print("  " + ", ".join(f"{n}: {m:.0f}+{w:.0f}" for n, m, w in samples))
    if a.nodes:
        pg = _pg_bin()
        if pg is None:
            print("(PostgreSQL is not installed: no two-node run)")
            return
        cluster = PostgresCluster(pg).start()
        try:
            rates = []
            for count in (1, 2):
                db = _database(cluster.url, f"bench{count}")
                rates.append(throughput(msgs, a.connections, count, db).done)
        finally:
            cluster.remove()
        print(
            f"PostgreSQL, stored+classified: one node {rates[0]:.0f} msg/s, two nodes"
            f" {rates[1]:.0f} msg/s ({rates[1] / rates[0]:.2f}x) on {os.cpu_count()} cores shared"
            " by both nodes, the client and the database"
        )


def _database(server: str, name: str) -> str:
    import psycopg

    with psycopg.connect(
        server.replace("postgresql+psycopg://", "postgresql://") + "/postgres", autocommit=True
    ) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return f"{server}/{name}"


if __name__ == "__main__":
    main()
