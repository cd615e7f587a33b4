"""Reading one message: its MIME parts, its documents' files stored, each document read.

What a worker process does for the runner (daemon.workers), and what `intake` does in process:
the one place a message turns into documents. Only `parsers` and the file store are used here,
so the workers never load the database layer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from parsers.extract import ExtractedDocument, Job, extract_document, failed_document, jobs_for
from parsers.mime import ParsedMessage, extract_attachments
from storage.blobs import BlobStore

ReadOne = Callable[[int, Job], ExtractedDocument]


@dataclass(frozen=True, slots=True)
class ReadMessage:
    """A message read: its headers and skipped parts (the attachments' bytes are in the file
    store by now, not here), how many attachments it had, its documents."""

    headers: ParsedMessage
    attachments: int
    documents: tuple[ExtractedDocument, ...]


def read_message(raw: bytes, blobs: BlobStore, read_one: ReadOne) -> ReadMessage:
    """Parse `raw`, store every attachment durably (the inbox will refer to them), read each
    document with `read_one(index, job)`."""
    parsed = extract_attachments(raw)
    for attachment in parsed.attachments:
        blobs.put(attachment.data)
    documents = tuple(read_one(i, job) for i, job in enumerate(jobs_for(parsed.attachments)))
    return ReadMessage(replace(parsed, attachments=()), len(parsed.attachments), documents)


def read_document(job: Job, max_pages: int) -> ExtractedDocument:
    """One document; a bug or a memory limit met costs this document, not its message."""
    try:
        return extract_document(job.attachment, max_pages, job.companions)
    except MemoryError:
        return failed_document(job.attachment, "could not read the file: ran out of memory")
    except Exception as exc:
        return failed_document(
            job.attachment, f"could not read the file: {type(exc).__name__}: {exc}"
        )
