"""Recipient address → (company, mailbox), per the contract: case-insensitive, `local+tag`
matches `local`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from parsers.vocab import DocType, Mailbox


@dataclass(frozen=True, slots=True)
class Company:
    """One client of the office, as configured."""

    name: str
    ico: str
    dic: str | None
    ic_dph: str | None
    addresses: Mapping[Mailbox, str]
    series: Mapping[DocType, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Route:
    company: str  # IČO
    mailbox: Mailbox
    address: str  # the recipient as given


def normalize_address(address: str) -> str:
    """`Local+Tag@Domain.SK` → `local@domain.sk`; anything without one @ is returned lowered."""
    address = address.strip().strip("<>").strip().lower()
    local, at, domain = address.rpartition("@")
    if not at or not local:
        return address
    return f"{local.split('+', 1)[0]}@{domain}"


@dataclass(frozen=True, slots=True)
class AddressBook:
    entries: Mapping[str, tuple[str, Mailbox]]  # normalized address → (IČO, mailbox)

    @classmethod
    def of(cls, companies: Iterable[Company]) -> AddressBook:
        entries: dict[str, tuple[str, Mailbox]] = {}
        for company in companies:
            for mailbox, address in company.addresses.items():
                entries[normalize_address(address)] = (company.ico, mailbox)
        return cls(entries)

    def lookup(self, address: str) -> Route | None:
        hit = self.entries.get(normalize_address(address))
        return Route(hit[0], hit[1], address) if hit else None

    def resolve(self, recipients: Iterable[str]) -> tuple[tuple[Route, ...], tuple[str, ...]]:
        """Routes for the known recipients (one per company and mailbox) and the unknown ones."""
        routes: dict[tuple[str, Mailbox], Route] = {}
        unknown: list[str] = []
        for address in recipients:
            route = self.lookup(address)
            if route is None:
                unknown.append(address)
            else:
                routes.setdefault((route.company, route.mailbox), route)
        return tuple(routes.values()), tuple(unknown)
