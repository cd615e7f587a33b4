"""PDF work in child processes with a time and a memory limit per document.

PDFium is C code and pdfminer has no decompression cap: a hostile PDF may hang, eat memory or
crash. Each worker is a long-lived child (spawned, not forked, from a threaded daemon) with
RLIMIT_AS set; the parent waits for each document with a timeout. A worker that times out or
dies is killed and replaced, and its document ends as `unreadable_pdf` with the reason — the
daemon and the other documents carry on.
"""

from __future__ import annotations

import multiprocessing
import queue
import resource
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnProcess

from daemon.logs import get_logger
from parsers.extract import ExtractedDocument, Job, extract_document, failed_document
from parsers.mime import Attachment
from parsers.pages import RenderedPage, RenderJob, render_page

_CTX = multiprocessing.get_context("spawn")


def _worker_main(conn: Connection, memory_bytes: int, max_pages: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        try:
            result: ExtractedDocument | RenderedPage | str = (
                render_page(job)
                if isinstance(job, RenderJob)
                else extract_document(job.attachment, max_pages, job.companions)
            )
        except MemoryError:
            result = "ran out of memory"
        except Exception as exc:  # a bug or a hostile file: report it, stay alive
            result = f"{type(exc).__name__}: {exc}"
        conn.send(result)


@dataclass
class _Worker:
    process: SpawnProcess
    conn: Connection

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
    """`extract(attachments)` from any thread; blocks for an idle worker."""

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

    def extract(self, jobs: Sequence[Job]) -> list[ExtractedDocument]:
        return [self.extract_one(job.attachment, job.companions) for job in jobs]

    def extract_one(
        self, attachment: Attachment, companions: tuple[Attachment, ...] = ()
    ) -> ExtractedDocument:
        result = self._run(Job(attachment, companions))
        if isinstance(result, ExtractedDocument):
            return result
        get_logger().warning("document_extraction_failed", sha256=attachment.sha256, reason=result)
        return failed_document(attachment, f"could not read the file: {result}")

    def render(self, data: bytes, page: int) -> RenderedPage:
        """One page as PNG, with the same time and memory limits as reading."""
        result = self._run(RenderJob(data, page))
        return result if isinstance(result, RenderedPage) else RenderedPage(None, 0)

    def _run(self, job: Job | RenderJob) -> object:
        """Send one job to an idle worker and wait for it within the time limit; a worker that
        times out or dies is replaced and the answer is why (a string)."""
        worker = self._idle.get()
        healthy = True
        try:
            worker.conn.send(job)
            if worker.conn.poll(self.timeout):
                result: object = worker.conn.recv()
            else:
                result, healthy = f"gave up after {self.timeout:g} s", False
        except (EOFError, OSError) as exc:
            result = f"worker died ({type(exc).__name__}); the file may be hostile"
            healthy = False
        finally:
            if healthy:
                self._idle.put(worker)
            else:
                self._replace(worker)
        return result

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
