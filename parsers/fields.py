"""From a document's cells to the contract's fields, with no per-supplier templates.

Each field is found by its printed label (Slovak, Czech, English variants), the value right of
or under it, and checked where a check exists. What is not found, or not sure, stays None and
is named in `ExtractedFields.missing` so routing can flag `missing_fields`: a wrong value is
worse than an empty one.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import TypeVar

from parsers.grid import Cell, Grid, label_tail_removed
from parsers.values import (
    amounts_in,
    compact_id,
    find_ibans,
    is_valid_iban,
    is_valid_ico,
    is_valid_vat_id,
    parse_amount,
    parse_date,
)
from parsers.vocab import DocType, Flag

NOCASE = re.IGNORECASE
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Party:
    name: str | None = None
    ico: str | None = None
    dic: str | None = None
    ic_dph: str | None = None


@dataclass(frozen=True, slots=True)
class VatRow:
    rate: str
    base: Decimal
    vat: Decimal


@dataclass(frozen=True, slots=True)
class ExtractedFields:
    doc_type: DocType = DocType.UNKNOWN
    number: str | None = None
    variable_symbol: str | None = None
    issue_date: date | None = None
    delivery_date: date | None = None
    due_date: date | None = None
    supplier: Party = field(default_factory=Party)
    customer: Party = field(default_factory=Party)
    currency: str | None = None
    total: Decimal | None = None
    vat: tuple[VatRow, ...] = ()
    iban: str | None = None
    receipt_id: str | None = None
    refers_to: str | None = None
    flags: tuple[Flag, ...] = ()
    missing: tuple[str, ...] = ()  # required fields not found (or not sure)
    # Not contract keys: what explains a total that differs from the VAT rows' sum.
    rounding: Decimal | None = None  # "Zaokrúhlenie", "Haléřové vyrovnání"
    advances: Decimal | None = None  # advances paid and deducted ("Uhradené zálohou"), positive


# ---- labels ----------------------------------------------------------------------------------

_TITLES: tuple[tuple[DocType, re.Pattern[str]], ...] = (
    (
        DocType.RECEIPT,
        re.compile(
            r"pokladni?čný doklad|pokladní doklad|\bkód pokladne\b|\beKasa\b|\bUID:\s*O-", NOCASE
        ),
    ),
    (DocType.DEBIT_NOTE, re.compile(r"ťarchopis|vrubopis|\bdebit note\b", NOCASE)),
    (
        DocType.ADVANCE_TAX_DOCUMENT,
        re.compile(
            r"daňový doklad k (?:prijatej|přijaté) (?:platbe|platbě|úhradě|úhrade)|faktúra k prijatej platbe"
            r"|advance (?:payment )?tax document|prepayment invoice",
            NOCASE,
        ),
    ),
    (
        DocType.PROFORMA_INVOICE,
        re.compile(
            r"zálohová faktúra|zálohová faktura|preddavková faktúra|predfaktúra|pro ?forma|výzva k? ?(?:na )?(?:úhrad|platb)",
            NOCASE,
        ),
    ),
    (
        DocType.CREDIT_NOTE,
        re.compile(
            r"dobropis|opravn(?:ý|á) (?:daňový doklad|faktúra|faktura)|credit note|\bstorno faktúr",
            NOCASE,
        ),
    ),
    (DocType.INVOICE, re.compile(r"faktúra|faktura|\binvoice\b|daňový doklad|\bbill\b", NOCASE)),
)

_REFERS_TO = re.compile(
    r"(?:k faktúre|k faktuře|opravuje (?:doklad|fakturu|faktúru)|pôvodn(?:á|ý) (?:faktúra|doklad)|původní (?:faktura|doklad)"
    r"|k daňovému dokladu|corrects invoice|original invoice|credit note to invoice)\s*(?:č\.|číslo|no\.?)?",
    NOCASE,
)
_NUMBER = re.compile(
    r"(?:(?:faktúr[ay]|faktur[ay]|dobropis[u]?|ťarchopis[u]?|doklad[u]?|invoice|credit note|debit note|receipt)"
    r"(?:\s*[-–]\s*daňový doklad|\s+k (?:prijatej|přijaté) platb[eě])?\s*(?:č\.|číslo|no\.|nr\.?|number|#)"
    r"|číslo (?:faktúry|faktury|dokladu|dobropisu)|invoice (?:no\.?|number|#)|poradové číslo dokladu(?:/účtu)?"
    r"|^číslo(?=\s*[:/])|^number(?=\s*:))",
    NOCASE,
)
_VS = re.compile(r"variabiln(?:ý|í) symbol|var\. ?symbol|\bVS\b|payment reference", NOCASE)
_ISSUE = re.compile(
    r"dátum vyhotovenia|dátum vystavenia|datum vystavení|dátum vyhot\.(?: a dodania)?|vystaven[éaoý]|date of issue"
    r"|issue date|invoice date|dátum a čas vyhotovenia|dátum:",
    NOCASE,
)
_DELIVERY = re.compile(
    r"dátum dodania(?: tovaru| služby| tovaru/služby)?|DUZP|datum uskutečnění zdanitelného plnění|datum zdan\. plnění"
    r"|datum zdanitelného plnění|datum plnění|dátum zdaniteľného plnenia|dátum vzniku daňovej povinnosti"
    r"|date of supply|delivery date|tax point date|dátum vyhot\. a dodania|dodané dňa",
    NOCASE,
)
_DUE = re.compile(
    r"dátum splatnosti|datum splatnosti|splatnosť|splatnost|splatné dňa|due date|payment due|date due",
    NOCASE,
)
_ROUNDING = re.compile(r"zaokrúhlenie|zaokrouhlení|haléřové vyrovnání|\brounding\b", NOCASE)
_ADVANCES = re.compile(
    r"uhraden[éá] zálohou|uhradené zálohami|odpočet zálohy|odpočet preddavku|zaplaten[éá] zálohy?|uhradená záloha"
    r"|zaplaceno zálohou|odečet zálohy|odpočet zálohov|advance paid|prepaid amount|less advance",
    NOCASE,
)
_TOTALS = tuple(
    re.compile(p, NOCASE)
    for p in (
        r"spolu na úhradu|suma na úhradu|celkom na úhradu|celkom k úhrade|celkem k úhradě|k úhrade|k úhradě|zostáva uhradiť"
        r"|k zaplateniu|k zaplacení|zbývá uhradit|zostáva zaplatiť|total due|amount due|total to pay|balance due"
        r"|amount payable|total payable",
        r"\bsuma\b|celková suma|celková částka|grand total|total amount",
        # the bare words only as a whole cell: "Cena celkem" heads a column, it is no total
        r"^\s*(?:celkom|celkem|spolu|total)(?: s dph| vrátane dph| včetně dph| incl\.? vat)?\s*:?\s*$",
    )
)
_SUPPLIER = re.compile(
    r"^(dodávateľ|dodavatel|predávajúci|prodávající|supplier|seller|poskytovateľ|poskytovatel)\s*(?=[:/]|$)",
    NOCASE,
)
_CUSTOMER = re.compile(
    r"^(odberateľ|odběratel|kupujúci|kupující|customer|buyer|bill to|billed to|invoice to|príjemca|objednávateľ"
    r"|objednatel|fakturačná adresa|fakturační adresa)\s*(?=[:/]|$)",
    NOCASE,
)
# A header is the label alone, or followed by ":" or a translation ("Dodávateľ / Supplier"):
# a company called "Odběratel 1" or "Supplier Ltd" is a name, not a header. Not headers:
# "Vystavil" (the person who wrote the invoice), bare "From"/"To" (e-mail-like, too generic).
_ICO = re.compile(
    r"\b(?:IČO|IČ|ICO|company id|reg\. ?no\.?|registration no\.?)\s*:?\s*(\d[\d ]{5,10}\d)", NOCASE
)
_DIC = re.compile(r"\b(?:DIČ|DIC|tax id)\s*:?\s*((?:CZ|SK)?\s?\d{8,10})\b", NOCASE)
_IC_DPH = re.compile(
    r"\b(?:IČ ?DPH|IC ?DPH|VAT ID|VAT No\.?|VAT number|VAT reg\. ?no\.?|USt-?IdNr\.?|N° TVA)\s*:?\s*"
    r"([A-Z]{2}\s?[0-9A-Z ]{8,14})\b",
    NOCASE,
)
_IBAN_LABEL = re.compile(r"\bIBAN\b", NOCASE)
_RECEIPT_ID = re.compile(r"\bO-[0-9A-F]{32}\b|\bUID:\s*(O-[0-9A-Z]{20,40}(?:-[A-Z]+)?)", NOCASE)
_RATE = re.compile(
    r"(?:^|\s)(\d{1,2}(?:[.,]\d{1,2})?)\s?%$"
)  # the rate ends the first cell of a recap row
_NUMBER_VALUE = re.compile(r"^[A-Z0-9][A-Z0-9/\-_.]{0,29}$", NOCASE)

REQUIRED: dict[DocType, tuple[str, ...]] = {
    DocType.RECEIPT: ("number", "issue_date", "total", "supplier.id"),
    DocType.UNKNOWN: ("doc_type", "number", "issue_date", "total", "supplier.id"),
}
_REQUIRED_DEFAULT = ("number", "issue_date", "total", "supplier.id")


def extract_fields(grid: Grid) -> ExtractedFields:
    doc_type = _doc_type(grid)
    refers_to, refers_cell = _refers_to(grid)
    total, currency = _total(grid)
    supplier, customer = _parties(grid, doc_type)
    vat = _vat_rows(grid)
    iban, unreadable_iban = _iban(grid)
    fields = ExtractedFields(
        doc_type=doc_type,
        number=_doc_number(grid, refers_cell),
        variable_symbol=_first(grid.value_for(_VS, _vs)),
        issue_date=_first(grid.value_for(_ISSUE, parse_date)),
        delivery_date=_first(grid.value_for(_DELIVERY, parse_date)),
        due_date=_first(grid.value_for(_DUE, parse_date)),
        supplier=supplier,
        customer=customer,
        currency=currency or _main_currency(grid),
        total=total,
        vat=vat,
        iban=iban,
        receipt_id=_receipt_id(grid),
        refers_to=refers_to,
        rounding=_first(grid.value_for(_ROUNDING, _money)),
        advances=abs(a) if (a := _first(grid.value_for(_ADVANCES, _money))) is not None else None,
    )
    fields = replace(fields, flags=identifier_flags(fields, unreadable_iban))
    if doc_type is DocType.CREDIT_NOTE:
        fields = _negate(fields)
    return replace(fields, missing=missing_required(fields))


def _first(found: tuple[T, Cell] | None) -> T | None:
    return found[0] if found else None


def _doc_type(grid: Grid) -> DocType:
    head = "\n".join(grid.lines[:25])
    for doc_type, pattern in _TITLES:
        if pattern.search(head):
            return doc_type
    return DocType.UNKNOWN


def _doc_number_value(text: str) -> str | None:
    token = text.split()[0].rstrip(".,;:") if text.split() else ""
    if _NUMBER_VALUE.match(token) and re.search(r"\d", token) and parse_date(token) is None:
        return token
    return None


def _refers_to(grid: Grid) -> tuple[str | None, Cell | None]:
    found = grid.value_for(_REFERS_TO, _doc_number_value)
    return (found[0], found[1]) if found else (None, None)


def _doc_number(grid: Grid, refers_cell: Cell | None) -> str | None:
    for cell, m in grid.find(_NUMBER):
        if _REFERS_TO.search(cell.text[: m.end()]):
            continue
        rest = label_tail_removed(cell.text[m.end() :]).lstrip(" :.#")
        candidates = (
            [rest] if rest else [c.text for c in (grid.right_of(cell), *grid.below(cell)) if c]
        )
        for text in candidates:
            value = _doc_number_value(text)
            if value is not None and (refers_cell is None or value != refers_cell.text.split()[-1]):
                return value
    return None


def _vs(text: str) -> str | None:
    m = re.match(r"(\d{1,10})\b", text.strip())
    return m.group(1) if m else None


def _money(text: str) -> Decimal | None:
    found = parse_amount(text)
    return found[0] if found else None


def _total(grid: Grid) -> tuple[Decimal | None, str | None]:
    for tier, label in enumerate(_TOTALS):
        # the weakest labels ("Celkem s DPH") also head table columns: only a value right of them
        found = grid.value_for(label, parse_amount, below=tier < len(_TOTALS) - 1)
        if found:
            (value, currency), _ = found
            return value, currency
    return None, None


def _main_currency(grid: Grid) -> str | None:
    text = "\n".join(grid.lines)
    counts = {
        code: len(re.findall(pat, text))
        for code, pat in (("EUR", r"€|\bEUR\b"), ("CZK", r"\bKč\b|\bCZK\b"))
    }
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] and list(counts.values()).count(counts[best]) == 1 else None


def _parties(grid: Grid, doc_type: DocType) -> tuple[Party, Party]:
    sup_heads = [c for c, _ in grid.find(_SUPPLIER)]
    cus_heads = [c for c, _ in grid.find(_CUSTOMER)]
    if not sup_heads and doc_type is DocType.RECEIPT:
        return _party_block(grid, None, grid.rows[:12]), Party()
    sup = (
        _block_for(grid, sup_heads[0], cus_heads[0] if cus_heads else None)
        if sup_heads
        else Party()
    )
    cus = (
        _block_for(grid, cus_heads[0], sup_heads[0] if sup_heads else None)
        if cus_heads
        else Party()
    )
    return sup, cus


def _block_for(grid: Grid, head: Cell, other: Cell | None) -> Party:
    """The cells under `head` down to the next party header (stacked) or in its column
    (side by side with `other`)."""
    side_by_side = other is not None and other.row == head.row
    rows = []
    for row in grid.rows[head.row : head.row + 12]:
        if (
            row[0].row != head.row
            and other is not None
            and not side_by_side
            and row[0].row == other.row
        ):
            break
        cells = [c for c in row if c.row != head.row or c.index >= head.index]
        if side_by_side and other is not None:
            mid = (head.left + other.left) / 2
            cells = [c for c in cells if (c.left < mid) == (head.left < mid)]
        rows.append(tuple(cells))
    return _party_block(grid, head, rows)


def _party_block(
    grid: Grid, head: Cell | None, rows: list[tuple[Cell, ...]] | tuple[tuple[Cell, ...], ...]
) -> Party:
    text_cells = [c for row in rows for c in row]
    joined = "\n".join(c.text for c in text_cells)
    ico = _id_match(_ICO, joined)
    ico = ico.replace(" ", "") if ico else None
    dic = _id_match(_DIC, joined)
    ic_dph = _id_match(_IC_DPH, joined)
    name = None
    for c in text_cells:
        text = c.text
        if head is not None and c is head:
            # what follows the header word: ": Name", "/ Supplier" (a translation), or nothing
            text = _SUPPLIER.sub("", _CUSTOMER.sub("", text))
            text = re.sub(r"^\s*/[^:]*", "", text).lstrip(" :")
        if text and not re.search(r"\d{5}|IČ|DIČ|DPH|:\s*$", text) and len(text) > 2:
            name = text
            break
    return Party(
        name=name,
        ico=ico,
        dic=compact_id(dic) if dic else None,
        ic_dph=compact_id(ic_dph) if ic_dph else None,
    )


def _id_match(pattern: re.Pattern[str], text: str) -> str | None:
    m = pattern.search(text)
    return m.group(1).strip() if m else None


def identifier_flags(f: ExtractedFields, unreadable_iban: bool = False) -> tuple[Flag, ...]:
    """invalid_ico / invalid_ic_dph / invalid_iban for the values kept (an IBAN that failed
    its check is not kept: `unreadable_iban` says one was printed)."""
    parties = (f.supplier, f.customer)
    flags: list[Flag] = []
    if any(p.ico and not is_valid_ico(p.ico) for p in parties):
        flags.append(Flag.INVALID_ICO)
    if any(p.ic_dph and not is_valid_vat_id(p.ic_dph) for p in parties):
        flags.append(Flag.INVALID_IC_DPH)
    if unreadable_iban or (f.iban is not None and not is_valid_iban(f.iban)):
        flags.append(Flag.INVALID_IBAN)
    return tuple(flags)


def _vat_rows(grid: Grid) -> tuple[VatRow, ...]:
    """Rows "rate % base vat" where vat ≈ base × rate: the recap table, not item lines."""
    rows: dict[str, VatRow] = {}
    for row in grid.rows:
        m = _RATE.search(row[0].text)
        if not m:
            continue
        rate = Decimal(m.group(1).replace(",", "."))
        amounts = [a for c in row[1:] for a in amounts_in(c.text)]
        for base, vat in itertools.pairwise(amounts):
            if abs(base * rate / 100 - vat) <= Decimal("0.011") + abs(base) * Decimal("0.0001"):
                key = f"{rate.normalize():f}"
                if key in rows and rows[key] != VatRow(key, base, vat):
                    return ()  # two different rows for one rate: not sure which to trust
                rows[key] = VatRow(key, base, vat)
                break
    return tuple(rows.values())


def _iban(grid: Grid) -> tuple[str | None, bool]:
    """The first valid IBAN. One failing its check is kept as printed (and flagged) only
    when it stands right after an IBAN label; elsewhere it may be any other number."""
    candidates = find_ibans("\n".join(grid.lines))
    valid = [c for c in candidates if is_valid_iban(c)]
    if valid:
        return valid[0], False
    labelled = _first(grid.value_for(_IBAN_LABEL, lambda t: next(iter(find_ibans(t)), None)))
    return labelled, bool(candidates)


def _receipt_id(grid: Grid) -> str | None:
    m = _RECEIPT_ID.search("\n".join(grid.lines))
    if not m:
        return None
    return (m.group(1) or m.group(0)).upper()


def _negate(f: ExtractedFields) -> ExtractedFields:
    """Credit notes reduce: total, bases and VAT are negative whatever the print shows."""
    return replace(
        f,
        total=-abs(f.total) if f.total is not None else None,
        vat=tuple(VatRow(r.rate, -abs(r.base), -abs(r.vat)) for r in f.vat),
    )


def missing_required(f: ExtractedFields) -> tuple[str, ...]:
    names = REQUIRED.get(f.doc_type, _REQUIRED_DEFAULT)
    out = []
    for name in names:
        if name == "doc_type":
            value: object = None if f.doc_type is DocType.UNKNOWN else f.doc_type
        elif name == "supplier.id":  # IČO, or a VAT id / DIČ for foreign suppliers
            value = f.supplier.ico or f.supplier.ic_dph or f.supplier.dic
        else:
            value = getattr(f, name)
        if value is None:
            out.append(name)
    return tuple(out)


def as_contract(f: ExtractedFields) -> dict[str, object]:
    """The contract's field keys and value formats (amounts with two places, ISO dates)."""

    def money(v: Decimal | None) -> str | None:
        return f"{v:.2f}" if v is not None else None

    def party(p: Party) -> dict[str, str | None]:
        return {"name": p.name, "ico": p.ico, "dic": p.dic, "ic_dph": p.ic_dph}

    return {
        "doc_type": f.doc_type.value,
        "number": f.number,
        "variable_symbol": f.variable_symbol,
        "issue_date": f.issue_date.isoformat() if f.issue_date else None,
        "delivery_date": f.delivery_date.isoformat() if f.delivery_date else None,
        "due_date": f.due_date.isoformat() if f.due_date else None,
        "supplier": party(f.supplier),
        "customer": party(f.customer),
        "currency": f.currency,
        "total": money(f.total),
        "vat": [{"rate": r.rate, "base": money(r.base), "vat": money(r.vat)} for r in f.vat],
        "iban": f.iban,
        "receipt_id": f.receipt_id,
        "refers_to": f.refers_to,
    }
