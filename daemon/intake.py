"""The one intake: every message — SMTP, IMAP, `podatelna ingest` — as a spool entry, read,
then committed with the others ready at the same moment.

spool entry (daemon.spool) → ReadMessage (daemon.reading, in a worker: MIME, files, documents)
→ RoutingDecision (routing.checks) + Decision (routing.decide) → stored items (storage).

Heavy work happens before the database transaction; the transaction itself is short and holds
a batch of messages (group commit: one commit, one fsync, for all that were ready), each in a
savepoint of its own, so one message that fails never takes its neighbours with it. It first
locks every (company, issuer) the batch will decide on (storage.database), in one sorted pass,
so "is this number known?" and "what does it link to?" are answered with every other writer's
committed documents in view, on any number of nodes. The constraints stay the last word: an
original has revision 0, so two writers that both believe they hold the original cannot both
commit; the loser (`StorageConflict`) decides again with fresh facts.
Every outcome ends as a stored item: a message with no readable document, or for no known
recipient, becomes a `needs_review` item with its original kept.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from daemon.config import Settings
from daemon.ekasa import EkasaLookup
from daemon.logs import get_logger
from daemon.reading import ReadMessage, read_document, read_message
from daemon.spool import FileOrigin, ImapOrigin, Origin, SmtpOrigin, new_stamp
from parsers.extract import ExtractedDocument
from parsers.fields import ExtractedFields, as_stored
from parsers.mime import (
    AttachmentKind,
    MimeLimits,
    ParsedMessage,
    extract_attachments,
    sha256_hex,
)
from parsers.vocab import Channel, DocType, Flag, Status
from routing.addresses import Route
from routing.checks import Facts, route
from routing.decide import EditedAfterIssue, Redelivery, decide
from storage.store import (
    ImapRef,
    Inbox,
    NewDocument,
    StorageConflict,
    StorageUnavailable,
    Store,
    document_id,
    utcnow,
)

_ATTEMPTS = 5
_CHANNELS = {SmtpOrigin: Channel.SMTP, ImapOrigin: Channel.IMAP, FileOrigin: Channel.FILE}


@dataclass(frozen=True, slots=True)
class Source:
    """A message's origin, when it came, and its intake key: the same key twice is a replay
    (a crash between commit and cleanup), not a second delivery."""

    origin: Origin
    received_at: datetime
    intake_key: str

    @classmethod
    def fresh(cls, origin: Origin) -> Source:
        """A message received now that only this caller has seen (a file, a test)."""
        return cls(origin, utcnow(), f"{_CHANNELS[type(origin)].value}:{new_stamp()}")

    @property
    def channel(self) -> Channel:
        return _CHANNELS[type(self.origin)]

    @property
    def mail_from(self) -> str | None:
        return self.origin.mail_from if isinstance(self.origin, SmtpOrigin) else None

    @property
    def recipients(self) -> tuple[str, ...] | None:
        """The envelope's recipients; None: route by the headers."""
        o = self.origin
        if isinstance(o, SmtpOrigin):
            return o.recipients or None  # none known: an entry whose envelope was lost
        if isinstance(o, ImapOrigin):
            return (o.address,) if o.address else None
        return o.recipients

    @property
    def account(self) -> str | None:
        return self.origin.account if isinstance(self.origin, ImapOrigin) else None

    @property
    def imap(self) -> ImapRef | None:
        o = self.origin
        if not isinstance(o, ImapOrigin):
            return None
        return ImapRef(o.account, o.folder, o.uidvalidity, o.uid, o.left_on_server)


@dataclass(frozen=True, slots=True)
class Prepared:
    """A message ready to be committed: read, or (`ReadMessage` of headers only) quarantined."""

    source: Source
    sha256: str
    size: int
    read: ReadMessage

    def routes(self, settings: Settings) -> tuple[tuple[Route, ...], tuple[str, ...]]:
        """Its company mailboxes and unknown recipients: by the envelope, else the headers."""
        recipients = self.source.recipients
        return settings.address_book.resolve(
            recipients if recipients is not None else self.read.headers.header_recipients
        )


@dataclass(frozen=True, slots=True)
class StoredItem:
    document_id: str
    outcome: str  # new | redelivery | edited_after_issue
    status: str
    flags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class IntakeResult:
    message_sha256: str
    message_id: str | None
    items: tuple[StoredItem, ...] = ()
    replay: bool = False
    unknown_recipients: tuple[str, ...] = field(default_factory=tuple)


# PDFium is not thread-safe: in-process reading (tests, tools) from several threads at once
# crashes the process. The daemon's workers are single-threaded processes and need no lock.
_PDFIUM = threading.Lock()


def read_in_process(store: Store, raw: bytes, max_pages: int) -> ReadMessage:
    with _PDFIUM:
        return read_message(raw, store.blobs, lambda _i, job: read_document(job, max_pages))


def enrich(settings: Settings, read: ReadMessage) -> ReadMessage:
    """Registered values of eKasa receipts, when the lookup is on."""
    if not settings.ekasa.lookup or not read.documents:
        return read
    lookup = EkasaLookup(settings.ekasa, settings.storage.files / "ekasa")
    return ReadMessage(
        read.headers, read.attachments, tuple(lookup.enrich(d) for d in read.documents)
    )


def intake(store: Store, settings: Settings, raw: bytes, source: Source) -> IntakeResult:
    """One message read and committed in this process: what the runner does in two steps,
    for tests and tools that have no spool."""
    sha = store.blobs.put(raw)
    read = enrich(settings, read_in_process(store, raw, settings.processing.max_pages))
    outcome = commit(store, settings, [Prepared(source, sha, len(raw), read)])[0]
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def quarantined(
    source: Source, raw: bytes, problem: str, flag: Flag = Flag.PROCESSING_FAILED
) -> Prepared:
    """A message that cannot be processed, to be kept as one `needs_review` item with the
    reason: never deleted, never retried forever. Reads nothing but the headers."""
    try:
        parsed = extract_attachments(raw, MimeLimits(max_parts=1))
    except Exception:
        parsed = ParsedMessage(None, None, None, (), (), (), ())
    sha = sha256_hex(raw)
    failed = ExtractedDocument(
        sha, None, AttachmentKind.PDF, ExtractedFields(flags=(flag,)), 0, problem
    )
    headers_only = ParsedMessage(
        parsed.message_id, parsed.subject, parsed.sender, parsed.header_recipients, (), (), ()
    )
    return Prepared(source, sha, len(raw), ReadMessage(headers_only, 0, (failed,)))


Outcome = IntakeResult | Exception


def commit(store: Store, settings: Settings, batch: Sequence[Prepared]) -> list[Outcome]:
    """Commit a batch of messages in one transaction, a savepoint each (module docstring).
    Each message's outcome: its result, or the exception that failed it alone. Raises
    `StorageUnavailable` (nothing committed) when the database does not answer."""
    outcomes: list[Outcome | None] = [None] * len(batch)
    routes = [p.routes(settings) for p in batch]
    todo = list(range(len(batch)))
    for attempt in range(1, _ATTEMPTS + 1):
        conflicted: list[int] = []
        done: list[tuple[int, list[dict[str, Any]]]] = []
        with store.transaction() as inbox:
            inbox.lock_issuers(pair for i in todo for pair in _issuers(routes[i], batch[i]))
            for i in todo:
                mark = len(inbox.events)
                try:
                    with inbox.savepoint():
                        outcomes[i] = _record(inbox, settings, batch[i], *routes[i])
                except StorageConflict:
                    # Another writer stored the same document (or number) first: decide again.
                    conflicted.append(i)
                except StorageUnavailable:
                    raise
                except Exception as exc:  # this message's fault (a bug met it): only its own
                    outcomes[i] = exc
                else:
                    done.append((i, inbox.events[mark:]))
        for i, events in done:
            _log(batch[i], outcomes[i], events)
        if not conflicted:
            break
        get_logger().info("intake_retried", attempt=attempt, messages=len(conflicted))
        todo = conflicted
    else:
        for i in todo:
            outcomes[i] = StorageConflict(f"still conflicting after {_ATTEMPTS} attempts")
    return [o if o is not None else RuntimeError("not committed") for o in outcomes]


def _log(p: Prepared, result: Outcome | None, events: list[dict[str, Any]]) -> None:
    if not isinstance(result, IntakeResult):
        return
    parsed, channel = p.read.headers, p.source.channel.value
    log = get_logger(message_sha256=p.sha256, channel=channel, message_id=parsed.message_id)
    for ev in events:
        ev = dict(ev)
        get_logger().info(ev.pop("event"), channel=channel, message_id=parsed.message_id, **ev)
    for part in parsed.skipped:
        if part.reason != "message text":
            log.info(
                "attachment_skipped",
                location=part.location,
                filename=part.filename,
                reason=part.reason,
            )
    log.info(
        "message_processed",
        documents=len(result.items),
        replay=result.replay,
        statuses=sorted({i.status for i in result.items}),
        unknown_recipients=list(result.unknown_recipients),
    )


def _record(
    inbox: Inbox,
    settings: Settings,
    p: Prepared,
    routes: tuple[Route, ...],
    unknown: tuple[str, ...],
) -> IntakeResult:
    sha, parsed, source = p.sha256, p.read.headers, p.source
    if inbox.add_message(sha, p.size, parsed.message_id, parsed.subject, parsed.sender):
        inbox.event(
            "message_stored", message_sha256=sha, size=p.size, attachments=p.read.attachments
        )
    if source.imap is not None:  # in this transaction: stored and recorded, or neither
        inbox.mark_imap(source.imap, sha)
    items: list[StoredItem] = []
    replay = False
    targets: list[Route | None] = list(routes) if routes else [None]
    for target in targets:
        company, mailbox = (target.company, target.mailbox.value) if target else (None, None)
        delivery = inbox.add_delivery(
            message_sha256=sha,
            intake_key=f"{source.intake_key}|{company or '-'}|{mailbox or '-'}",
            channel=source.channel.value,
            mail_from=source.mail_from or parsed.sender,
            recipient=target.address if target else (", ".join(unknown) or None),
            company=company,
            mailbox=mailbox,
            account=source.account,
            received_at=source.received_at,
        )
        if delivery is None:
            replay = True
            continue
        inbox.event("delivery_recorded", message_sha256=sha, company=company, mailbox=mailbox)
        for doc in p.read.documents or (_no_document(sha, parsed),):
            items.append(_store_document(inbox, settings, sha, delivery, target, doc))
    return IntakeResult(sha, parsed.message_id, tuple(items), replay, unknown)


def _no_document(sha: str, parsed: ParsedMessage) -> ExtractedDocument:
    reasons = (
        "; ".join(f"{p.location}: {p.reason}" for p in parsed.skipped[:10]) or "no attachments"
    )
    return ExtractedDocument(
        sha,
        None,
        AttachmentKind.PDF,
        ExtractedFields(flags=(Flag.NO_DOCUMENT,)),
        0,
        f"no document found ({reasons})",
    )


@dataclass(frozen=True, slots=True)
class Review:
    flags: tuple[Flag, ...]
    accounting_range: str | None
    problem: str | None


def review_for(
    settings: Settings, target: Route | None, doc: ExtractedDocument, is_message: bool
) -> Review:
    """The routing checks for a document in its mailbox (or why there is no mailbox)."""
    if target is None or is_message:
        head = (Flag.UNKNOWN_RECIPIENT,) if target is None else ()
        return Review(head + doc.fields.flags, None, doc.problem)
    company = settings.company(target.company)
    if company is None:  # cannot happen: the address book is built from the same companies
        raise LookupError(f"no company {target.company} in the configuration")
    routed = route(Facts(doc, company, target.mailbox, settings.companies))
    problem = doc.problem
    if routed.belongs_to is not None:
        owner = settings.company(routed.belongs_to[0])
        where = f"{owner.name} ({owner.ico})" if owner else routed.belongs_to[0]
        problem = "; ".join(
            filter(None, [f"belongs to {where}, mailbox {routed.belongs_to[1].value}", problem])
        )
    return Review(routed.flags, routed.accounting_range, problem)


def business_key(company: str | None, fields: ExtractedFields) -> tuple[str, str, str, str] | None:
    """(company, issuer, doc_type, number): what identifies an issued document. The issuer is
    its IČO, or for a foreign supplier its VAT id or tax number."""
    issuer = fields.supplier.ico or fields.supplier.ic_dph or fields.supplier.dic
    if company and issuer and fields.number and fields.doc_type is not DocType.UNKNOWN:
        return company, issuer, fields.doc_type.value, fields.number
    return None


def _issuers(
    routed: tuple[tuple[Route, ...], tuple[str, ...]], p: Prepared
) -> list[tuple[str, str]]:
    """(company, issuer) of every document this message may store under a business key."""
    routes, _ = routed
    keys = (business_key(r.company, d.fields) for r in routes for d in p.read.documents)
    return [(k[0], k[1]) for k in keys if k is not None]


def _store_document(
    inbox: Inbox,
    settings: Settings,
    message_sha: str,
    delivery: int,
    target: Route | None,
    doc: ExtractedDocument,
) -> StoredItem:
    company = target.company if target else None
    mailbox = target.mailbox.value if target else None
    is_message = doc.sha256 == message_sha  # the message itself stands in for a missing document
    key = business_key(company, doc.fields)
    same_number = inbox.same_number(*key) if key else None
    decision = decide(doc.sha256, inbox.same_bytes(company, mailbox, doc.sha256), same_number)
    if isinstance(decision, Redelivery):
        inbox.link(decision.existing_id, delivery)
        inbox.event(
            "document_redelivered",
            message_sha256=message_sha,
            document_id=decision.existing_id,
            company=company,
            mailbox=mailbox,
        )
        return StoredItem(decision.existing_id, "redelivery", "", ())

    review = review_for(settings, target, doc, is_message)
    contract = as_stored(doc.fields)
    flags, status = list(review.flags), Status.NEEDS_REVIEW if review.flags else Status.ACCEPTED
    original_id, diff = None, None
    if isinstance(decision, EditedAfterIssue):
        original_id = decision.original_id
        diff = field_diff(inbox.fields_of(original_id), contract)
        flags.append(Flag.EDITED_AFTER_ISSUE)
        status = Status.EDITED_AFTER_ISSUE
    new_doc = NewDocument(
        id=document_id(company, mailbox, doc.sha256),
        company=company,
        mailbox=mailbox,
        sha256=doc.sha256,
        message_sha256=message_sha,
        kind="message" if is_message else doc.kind.value,
        filename=doc.filename,
        status=status.value,
        doc_type=doc.fields.doc_type.value,
        number=doc.fields.number,
        issuer_ico=key[1] if key else None,
        fields=contract,
        flags=tuple(f.value for f in flags),
        accounting_range=review.accounting_range,
        original_id=original_id,
        # The first of its number is revision 0, whatever else is committed meanwhile: a second
        # "first" then breaks the unique business key instead of passing as another original.
        revision=inbox.next_revision(*key) if key and same_number else 0,
        diff=diff,
        problem=review.problem,
        refers_to=doc.fields.refers_to if key else None,
        variable_symbol=doc.fields.variable_symbol if key else None,
        read_by=None if is_message else doc.read_by,
    )
    inbox.add_document(new_doc)
    inbox.link(new_doc.id, delivery)
    _events(inbox, new_doc, inbox.link_related(new_doc))
    return StoredItem(
        new_doc.id, "edited_after_issue" if original_id else "new", status.value, new_doc.flags
    )


def _events(inbox: Inbox, doc: NewDocument, linked: list[str]) -> None:
    data: dict[str, Any] = {
        "company": doc.company,
        "mailbox": doc.mailbox,
        "status": doc.status,
        "doc_type": doc.doc_type,
        "filename": doc.filename,
    }
    if linked:
        inbox.event(
            "document_linked",
            message_sha256=doc.message_sha256,
            document_id=doc.id,
            related_ids=linked,
        )
    if doc.original_id:
        inbox.event(
            "document_edited_after_issue",
            message_sha256=doc.message_sha256,
            document_id=doc.id,
            original_id=doc.original_id,
            changed=sorted(doc.diff or {}),
            **data,
        )
    inbox.event(
        "document_stored",
        message_sha256=doc.message_sha256,
        document_id=doc.id,
        flags=list(doc.flags),
        **data,
    )


def field_diff(original: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Field-by-field differences, nested parties flattened (`supplier.name`)."""
    out: dict[str, Any] = {}
    for key in sorted(set(original) | set(new)):
        a, b = original.get(key), new.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            for sub in sorted(set(a) | set(b)):
                if a.get(sub) != b.get(sub):
                    out[f"{key}.{sub}"] = {"original": a.get(sub), "new": b.get(sub)}
        elif a != b:
            out[key] = {"original": a, "new": b}
    return out
