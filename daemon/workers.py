"""Reading messages in child processes, with a time and a memory limit per document.

PDFium is C code and pdfminer has no decompression cap: a hostile PDF may hang, eat memory or
crash. Each worker is a long-lived child (spawned, not forked, from a threaded daemon) with
RLIMIT_AS set. A worker is given a message by its SHA-256: it reads the bytes from the file
store, parses the MIME, stores the attachments and reads each document (daemon.reading) — all
of it off the daemon's own interpreter, which is left the network and the database.

Before each document the worker says which one it starts, and the parent waits at most
`timeout` for each such step. A worker that times out or dies is killed and replaced; the
document it was on ends as `unreadable_pdf` with the reason, and the message is read again by
a fresh worker told to skip that document — the daemon and the other documents carry on. A
worker lost before its first document (in the MIME parsing) fails the message: the runner
retries it and, after `max_attempts`, keeps it for a person.
"""

from __future__ import annotations

import multiprocessing
import queue
import resource
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnProcess
from pathlib import Path

from daemon.logs import get_logger
from daemon.reading import ReadMessage, read_document, read_message
from parsers.extract import ExtractedDocument, Job, failed_document
from parsers.mime import Attachment
from parsers.pages import RenderedPage, RenderJob, render_page
from storage.blobs import BlobStore

_CTX = multiprocessing.get_context("spawn")


@dataclass(frozen=True, slots=True)
class MessageJob:
    """Read the message stored as `sha256` under `files`; `skip`: (document index, why) of
    documents a worker was lost on, ended unread."""

    files: Path
    sha256: str
    skip: tuple[tuple[int, str], ...] = ()


class MessageUnreadable(Exception):
    """The message itself could not be parsed (its worker was lost before any document)."""


def _read(conn: Connection, job: MessageJob, max_pages: int) -> ReadMessage:
    blobs = BlobStore(job.files)
    skip = dict(job.skip)

    def read_one(index: int, document: Job) -> ExtractedDocument:
        if index in skip:
            return failed_document(document.attachment, f"could not read the file: {skip[index]}")
        conn.send(("reading", index, document.attachment.sha256))
        return read_document(document, max_pages)

    return read_message(blobs.get(job.sha256), blobs, read_one)


def _worker_main(conn: Connection, memory_bytes: int, max_pages: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    conn.send("ready")  # imports done: from now on the time limits are the documents'
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        try:
            result: ReadMessage | ExtractedDocument | RenderedPage | str
            if isinstance(job, MessageJob):
                result = _read(conn, job, max_pages)
            elif isinstance(job, RenderJob):
                result = render_page(job)
            else:
                result = read_document(job, max_pages)
        except MemoryError:
            result = "ran out of memory"
        except Exception as exc:  # a bug or a hostile file: report it, stay alive
            result = f"{type(exc).__name__}: {exc}"
        conn.send(result)


STARTUP_SECONDS = 120.0  # for a worker to import its libraries (not counted per document)


@dataclass
class _Worker:
    process: SpawnProcess
    conn: Connection
    ready: bool = False

    def stop(self, kill: bool = False) -> None:
        try:
            if kill:
                self.process.kill()
            else:
                self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=5)
        self.conn.close()


class WorkerPool:
    """`read_message(files, sha256)` from any thread; blocks for an idle worker."""

    def __init__(self, size: int, timeout: float, memory_mb: int, max_pages: int) -> None:
        self.size = size
        self.timeout = timeout
        self.memory_bytes = memory_mb * 1024 * 1024
        self.max_pages = max_pages
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        self._closed = False

    def start(self) -> None:
        for _ in range(self.size):
            self._idle.put(self._spawn())

    def _spawn(self) -> _Worker:
        parent, child = _CTX.Pipe()
        process = _CTX.Process(
            target=_worker_main,
            args=(child, self.memory_bytes, self.max_pages),
            name="podatelna-pdf",
            daemon=True,
        )
        process.start()
        child.close()
        worker = _Worker(process, parent)
        with self._lock:
            self._all.append(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        worker.stop(kill=True)
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)

    def read_message(self, files: Path, sha256: str) -> ReadMessage:
        """The message stored as `sha256`, read in a worker (module docstring). Raises
        `MessageUnreadable` when its MIME could not be read."""
        skip: dict[int, str] = {}
        while True:
            job = MessageJob(files, sha256, tuple(skip.items()))
            result, reading = self._run(job)
            if isinstance(result, ReadMessage):
                return result
            if reading is None or not isinstance(result, str) or reading[0] in skip:
                raise MessageUnreadable(str(result))
            get_logger().warning("document_extraction_failed", sha256=reading[1], reason=result)
            skip[reading[0]] = result

    def extract_one(
        self, attachment: Attachment, companions: tuple[Attachment, ...] = ()
    ) -> ExtractedDocument:
        result, _ = self._run(Job(attachment, companions))
        if isinstance(result, ExtractedDocument):
            return result
        get_logger().warning("document_extraction_failed", sha256=attachment.sha256, reason=result)
        return failed_document(attachment, f"could not read the file: {result}")

    def render(self, data: bytes, page: int) -> RenderedPage:
        """One page as PNG, with the same time and memory limits as reading."""
        result, _ = self._run(RenderJob(data, page))
        return result if isinstance(result, RenderedPage) else RenderedPage(None, 0)

    def _run(self, job: Job | RenderJob | MessageJob) -> tuple[object, tuple[int, str] | None]:
        """Send one job to an idle worker and wait for it, `timeout` for each step; a worker
        that times out or dies is replaced and the answer is why (a string). Also returns the
        document (index, SHA-256) the worker said it was reading last."""
        worker = self._idle.get()
        healthy = True
        reading: tuple[int, str] | None = None
        try:
            if not worker.ready:
                if not worker.conn.poll(STARTUP_SECONDS):
                    raise OSError("did not start")
                worker.ready = worker.conn.recv() == "ready"
            worker.conn.send(job)
            while True:
                if not worker.conn.poll(self.timeout):
                    result: object = f"gave up after {self.timeout:g} s"
                    healthy = False
                    break
                result = worker.conn.recv()
                if not (isinstance(result, tuple) and result and result[0] == "reading"):
                    break
                reading = (result[1], result[2])
        except (EOFError, OSError) as exc:
            result = f"worker died ({type(exc).__name__}); the file may be hostile"
            healthy = False
        finally:
            if healthy:
                self._idle.put(worker)
            else:
                self._replace(worker)
        return result, reading

    def _replace(self, worker: _Worker) -> None:
        self._retire(worker)
        if not self._closed:
            self._idle.put(self._spawn())

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.stop()
