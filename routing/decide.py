"""New document, redelivery, or an edit of an issued one: a pure decision over what storage
looked up. The database's unique constraints make the decision race-free: a writer that loses
a race gets an integrity error and decides again with fresh facts."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class KnownDocument:
    id: str
    sha256: str


@dataclass(frozen=True, slots=True)
class New:
    pass


@dataclass(frozen=True, slots=True)
class Redelivery:
    existing_id: str


@dataclass(frozen=True, slots=True)
class EditedAfterIssue:
    original_id: str


Decision = New | Redelivery | EditedAfterIssue


def decide(
    sha256: str, same_bytes: KnownDocument | None, same_number: KnownDocument | None
) -> Decision:
    """`same_bytes`: a document of this company and mailbox with these exact bytes;
    `same_number`: the earliest one with the same issuer IČO, type and number."""
    if same_bytes is not None:
        return Redelivery(same_bytes.id)
    if same_number is not None and same_number.sha256 != sha256:
        return EditedAfterIssue(same_number.id)
    return New()
