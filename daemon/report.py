"""The import summary accountants know: per company and mailbox, what is new, changed,
waiting for a person, unreadable, resolved — plus spool backlog, each IMAP account's health and
each `serve` node's spool backlog as it last recorded it (a node that stopped for good shows
its last `last_seen`: see README "Several nodes" for draining its spool).

Counts cover documents first stored on or after `since` (all when None):
- new: documents that are not edits of an earlier one;
- changed: documents edited after issue (same issuer, type, number, other content);
- needs_review: documents waiting for a person (status needs_review or edited_after_issue);
- failed: documents that could not be read (unreadable PDF, no text, no document, too large,
  processing failed);
- resolved: documents a person resolved;
- flags: how many documents carry each flag.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any

from daemon.oauth2 import AUTH_NEEDED
from daemon.views import iso, render_table
from parsers.vocab import Flag, Mailbox, Status
from routing.addresses import Company
from routing.series import gaps_and_reuse
from storage.store import DocumentRecord, ImapStatus, NodeStatus

FAILED_FLAGS = {
    Flag.UNREADABLE_PDF,
    Flag.NO_TEXT_LAYER,
    Flag.NO_DOCUMENT,
    Flag.PROCESSING_FAILED,
    Flag.MESSAGE_TOO_LARGE,
}
WAITING = {Status.NEEDS_REVIEW.value, Status.EDITED_AFTER_ISSUE.value}


def _counts(docs: list[DocumentRecord]) -> dict[str, Any]:
    flags: Counter[str] = Counter(f for d in docs for f in d.flags)
    return {
        "new": sum(1 for d in docs if d.original_id is None),
        "changed": sum(1 for d in docs if d.original_id is not None),
        "needs_review": sum(1 for d in docs if d.status in WAITING and d.resolution is None),
        "failed": sum(1 for d in docs if FAILED_FLAGS & set(d.flags)),
        "resolved": sum(1 for d in docs if d.resolution is not None),
        "flags": dict(sorted(flags.items())),
    }


def _series(company: Company, docs: list[DocumentRecord]) -> dict[str, Any]:
    """Gaps and reused numbers in the client's own outgoing series, over all documents (a gap
    is about the whole year). Superseded and rejected versions do not count; an edit still
    waiting for a person shows its number as used twice."""
    out: dict[str, Any] = {}
    gone = (Status.REJECTED.value, Status.SUPERSEDED.value)
    for doc_type, pattern in company.series.items():
        numbers = [
            str(d.fields["number"])
            for d in docs
            if d.company == company.ico
            and d.mailbox == Mailbox.OUTGOING_INVOICES.value
            and d.doc_type == doc_type.value
            and d.fields.get("number")
            and d.status not in gone
        ]
        found = gaps_and_reuse(numbers, pattern)
        if found:
            out[doc_type.value] = found
    return out


def build_report(
    docs: list[DocumentRecord],
    companies: tuple[Company, ...],
    imap: list[ImapStatus],
    pending: int,
    since: date | None,
    company: str | None = None,
    nodes: Sequence[NodeStatus] = (),
) -> dict[str, Any]:
    every = docs
    docs = [d for d in docs if since is None or d.created_at.date() >= since]
    out_companies = []
    for c in companies:
        if company and c.ico != company:
            continue
        mailboxes = {
            m.value: _counts([d for d in docs if d.company == c.ico and d.mailbox == m.value])
            for m in Mailbox
        }
        entry: dict[str, Any] = {"company": c.ico, "name": c.name, "mailboxes": mailboxes}
        series = _series(c, every)
        if series:
            entry["series"] = series
        out_companies.append(entry)
    report: dict[str, Any] = {
        "since": since.isoformat() if since else None,
        "pending": pending,
        "companies": out_companies,
        "imap": [
            {
                "name": s.account,
                "last_success": iso(s.last_success) if s.last_success else None,
                "fetched": s.fetched,
                "errors": s.errors,
                "last_error": s.last_error,
                "needs_authorization": _needs_authorization(s),
            }
            for s in imap
        ],
        "nodes": [
            {"node": n.node, "pending": n.pending, "last_seen": iso(n.last_seen)} for n in nodes
        ],
    }
    if not company:
        report["unrouted"] = _counts([d for d in docs if d.company is None])
    return report


def render_report(report: dict[str, Any]) -> str:
    rows = []
    for c in report["companies"]:
        for mailbox, n in c["mailboxes"].items():
            flags = ", ".join(f"{k} {v}" for k, v in n["flags"].items())
            rows.append(
                [
                    c["company"],
                    c["name"],
                    mailbox,
                    *(str(n[k]) for k in ("new", "changed", "needs_review", "failed", "resolved")),
                    flags,
                ]
            )
    if "unrouted" in report:
        n = report["unrouted"]
        rows.append(
            [
                "-",
                "(unknown recipient)",
                "-",
                *(str(n[k]) for k in ("new", "changed", "needs_review", "failed", "resolved")),
                "",
            ]
        )
    header = [
        "company",
        "name",
        "mailbox",
        "new",
        "changed",
        "review",
        "failed",
        "resolved",
        "flags",
    ]
    lines = [
        f"Report since {report['since'] or 'the beginning'}; {report['pending']} message(s) waiting in the spool",
        render_table(header, rows),
    ]
    for c in report["companies"]:
        for doc_type, years in c.get("series", {}).items():
            for year, found in years.items():
                if found["missing"]:
                    lines.append(
                        f"{c['company']} {doc_type} {year}: missing {', '.join(found['missing'])}"
                    )
                if found["reused"]:
                    lines.append(
                        f"{c['company']} {doc_type} {year}: used twice {', '.join(found['reused'])}"
                    )
    for a in report["imap"]:
        state = f"last success {a['last_success']}" if a["last_success"] else "never succeeded"
        err = f"; last error: {a['last_error']}" if a["errors"] and a["last_error"] else ""
        if a["needs_authorization"]:
            state = f"needs authorisation: run `podatelna imap authorize {a['name']}`; {state}"
        lines.append(
            f"imap {a['name']}: {state}, {a['fetched']} fetched, {a['errors']} error(s){err}"
        )
    for n in report["nodes"]:
        lines.append(
            f"node {n['node']}: {n['pending']} message(s) in its spool, last seen {n['last_seen']}"
        )
    return "\n".join(lines)


def _needs_authorization(s: ImapStatus) -> bool:
    """Its last poll ended on an OAuth2 token only `imap authorize` can renew."""
    if not (s.last_error or "").startswith(AUTH_NEEDED) or s.last_error_at is None:
        return False
    return s.last_success is None or s.last_error_at > s.last_success
