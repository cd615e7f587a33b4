"""From a document's cells to the contract's fields, with no per-supplier templates.

Each field is found by its printed label (parsers/labels.py: ten languages), the value right
of, under or after it in the same cell, and checked where a check exists. What is not found, or not sure, stays None and
is named in `ExtractedFields.missing` so routing can flag `missing_fields`: a wrong value is
worse than an empty one.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import TypeVar

from parsers import labels
from parsers.grid import (
    LABEL_ROW_CELLS,
    Cell,
    Grid,
    label_tail_removed,
    part_from,
    stacked,
    value_text,
)
from parsers.values import (
    AMOUNT_RE,
    CURRENCY_SIGNS,
    LOOK_ALIKE,
    MASK,
    amounts_in,
    compact_id,
    date_readings,
    find_ibans,
    is_valid_iban,
    is_valid_ico,
    is_valid_vat_id,
    parse_amount,
    parse_date,
    slash_order,
    slashed_unpadded,
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
    # the page prints a VAT line ("VAT (23%) €951.23"): no rows read is then a reading
    # missed, not a non-payer's document, and `vat` is missing
    vat_printed: bool = False


_REFERS_TO = labels.REFERS_TO
_NUMBER = labels.NUMBER
_VS = labels.VS
_ISSUE = labels.ISSUE
_DELIVERY = labels.DELIVERY
_DUE = labels.DUE
_ROUNDING = labels.ROUNDING
_ADVANCES = labels.ADVANCES
_TOTALS = labels.TOTALS
_SUPPLIER = labels.SUPPLIER
_CUSTOMER = labels.CUSTOMER
_ICO = labels.ICO
_DIC = labels.DIC
_IC_DPH = labels.IC_DPH
_IBAN_LABEL = labels.IBAN
_RECEIPT_ID = re.compile(
    r"\bO-\n?[0-9A-F]{32}\b|\bUID:\s*(O-[0-9A-Z]{20,40}(?:-[A-Z]+)?)", NOCASE
)  # "O-" alone at a line's end: a narrow receipt broke the UID after its dash
_RATE = re.compile(
    r"(?:^|\s)(\d{1,2}(?:[.,]\d{1,2})?)\s?%$"
)  # the rate ends the first cell of a recap row
# ... or is the whole cell with its decimals and no sign ("20.0", "5,5"), if it is a VAT rate
# some EU country charges; an item line's quantity rarely is one and also passes base × rate
_BARE_RATE = re.compile(r"^\s*(\d{1,2}[.,]\d{1,2})\s*$")
_EU_RATES = {
    Decimal(r)
    for r in [
        "0",
        "5",
        "5.5",
        "6",
        "7",
        "8",
        "9",
        "10",
        "12",
        "13",
        "14",
        "15",
        "17",
        "18",
        "19",
        "20",
        "21",
        "22",
        "23",
        "24",
        "25",
        "27",
    ]
}
_CATEGORY = re.compile(r"^\s*[A-Z]{1,2}\s*$")  # a VAT category code before the rate ("S", "AE")
_NUMBER_VALUE = re.compile(r"^[A-Z0-9][A-Z0-9/\-_.]{0,29}$", NOCASE)

REQUIRED: dict[DocType, tuple[str, ...]] = {
    DocType.RECEIPT: ("number", "issue_date", "total", "supplier.id"),
    DocType.UNKNOWN: ("doc_type", "number", "issue_date", "total", "supplier.id"),
}
_REQUIRED_DEFAULT = ("number", "issue_date", "total", "supplier.id")


def extract_fields(grid: Grid) -> ExtractedFields:
    doc_type = _doc_type(grid)
    supplier, customer = (_dic_agreeing(p) for p in _parties(grid, doc_type))
    # 03/04/2025: April or March? The page's other dates tell, else its issuer: one with a
    # European VAT id writes the day first (only the US puts the month first), when it
    # writes them as Europe does, two digits each; "7/9/2025" is what US-made software
    # prints (JavaScript's en-US dates), whoever runs it
    order = slash_order(grid.lines)
    if (
        order == "unsure"
        and supplier.ic_dph
        and is_valid_vat_id(supplier.ic_dph)
        and not slashed_unpadded(grid.lines)
    ):
        order = "dmy"

    def a_date(text: str) -> date | None:
        return parse_date(text, order)

    def one_date(text: str) -> date | None:
        """A date, not a period ("01.04.2025 - 30.04.2025": the supply date is not sure)."""
        parts = _RANGE.split(text, maxsplit=1)
        return None if len(parts) == 2 and a_date(parts[1]) else a_date(text)

    receipt_id = _receipt_id(grid)
    if doc_type is DocType.UNKNOWN and receipt_id is not None:
        doc_type = DocType.RECEIPT  # an eKasa UID under a title nobody listed ("DOKLAD")
    refers_to, refers_cell = _refers_to(grid)
    total, currency = _total(grid)
    vat = _vat_rows(grid)
    # a tax total with no rate ("Total Tax | €11,378.06"), looked for only where no rows are
    tax_total = None if vat else _tax_total(grid)
    if tax_total is not None:
        vat = _vat_of_tax_total(grid, total, tax_total)
    if doc_type is DocType.ADVANCE_TAX_DOCUMENT:
        total = _payment_documented(grid, total, vat)
    iban, unreadable_iban = _iban(grid, receipt_id)
    fields = ExtractedFields(
        doc_type=doc_type,
        number=_doc_number(grid, refers_cell),
        variable_symbol=_first(grid.value_for(_VS, _vs)),
        issue_date=_first(grid.value_for(_ISSUE, a_date, skip=_another_dates_label))
        or _title_date(grid, a_date)
        or _letter_date(grid, a_date),
        delivery_date=_first(grid.value_for(_DELIVERY, one_date)),
        due_date=_first(grid.value_for(_DUE, a_date)),
        supplier=supplier,
        customer=customer,
        currency=_first(grid.value_for(labels.CURRENCY, _currency_code))
        or currency
        or _main_currency(grid),
        total=total,
        vat=vat,
        iban=iban,
        receipt_id=receipt_id,
        refers_to=refers_to,
        rounding=_first(grid.value_for(_ROUNDING, _money)),
        advances=abs(a) if (a := _first(grid.value_for(_ADVANCES, _money))) is not None else None,
        vat_printed=bool(vat) or tax_total is not None or _vat_printed(grid),
    )
    # a table of rows per rate with the rate in a column of its own: taken only when the
    # rows make the total, as an items table with a rate column would not
    if not vat and adds_up(by_columns := replace(fields, vat=_vat_columns(grid))):
        fields = by_columns
    if doc_type is DocType.RECEIPT:
        fields = _receipt_dates(grid, fields, a_date)
    if doc_type is DocType.UNKNOWN and _invoice_like(fields):
        fields = replace(fields, doc_type=DocType.INVOICE)
    refund = fields.doc_type in (DocType.INVOICE, DocType.UNKNOWN) and (total or 0) < 0
    if refund and _title_says(grid, labels.GUTSCHRIFT):
        # German VAT law's "Gutschrift" is a self-billed invoice; one that takes money back
        # is a refund, a credit note ("Gutschrift" for a returned order)
        doc_type = DocType.CREDIT_NOTE
        fields = replace(fields, doc_type=doc_type)
    if doc_type is DocType.CREDIT_NOTE:
        fields = _negate(fields)
    return finished(fields, unreadable_iban)


def _dic_agreeing(party: Party) -> Party:
    """A Slovak IČ DPH is "SK" and the DIČ: a DIČ read beside it that is another number, not
    its digits with one misread or misprinted, came from the next line or the other party
    (an IČO under a merged "IČO: DIČ:" label)."""
    vat_id, dic = party.ic_dph, party.dic
    sk = vat_id is not None and vat_id.startswith("SK") and is_valid_vat_id(vat_id)
    if sk and vat_id and dic and _apart(dic.removeprefix("SK"), vat_id[2:]) > 1:
        return replace(party, dic=None)
    return party


def _apart(a: str, b: str) -> int:
    """In how many characters `a` and `b` differ (all of them when their lengths do)."""
    if len(a) != len(b):
        return max(len(a), len(b))
    return sum(x != y for x, y in zip(a, b, strict=True))


def _dic_and_vat_id_reconciled(p: Party) -> tuple[Party, str | None]:
    """OCR read a Slovak party's DIČ and IČ DPH one digit apart: the one the check digits
    prove gives the other its digits ("IČ DPH: SK2022398629" beside "DIČ: 2022398620"), and
    the note says so; both stay as read when neither or both pass."""
    if not (p.dic and p.ic_dph and p.ic_dph.startswith("SK")):
        return p, None
    if _apart(p.dic, p.ic_dph[2:]) != 1:
        return p, None
    vat_ok, dic_ok = is_valid_vat_id(p.ic_dph), is_valid_vat_id(f"SK{p.dic}")
    if vat_ok and not dic_ok:
        return replace(p, dic=p.ic_dph[2:]), f"dic read as {p.dic}, {p.ic_dph[2:]} by the IČ DPH"
    if dic_ok and not vat_ok:
        return replace(p, ic_dph=f"SK{p.dic}"), f"ic_dph read as {p.ic_dph}, SK{p.dic} by the DIČ"
    return p, None


def _another_dates_label(grid: Grid, cell: Cell) -> bool:
    """A bare "Date" that a narrow column wrapped into another date's label ("Date | of |
    supply", "Due | date"): not the issue date's. A label of its own ("Vystavené:", a "Date"
    with its value beside it) above another ("Dodané:") is no wrapped one."""
    if _BARE_DATE_WORD.fullmatch(cell.text) is None:
        return False
    if _column_head(grid, cell) and not any(
        p.search(c.text) for c in grid.rows[cell.row] if c is not cell for p in _FACTS
    ):
        return True  # "# | Description | Date | Unit Price …": the items' dates
    # a date beside it makes it a label of its own; another column's "VAT ID: SK…" does not
    beside = grid.right_of(cell)
    return (beside is None or not date_readings(beside.text)) and any(
        p.search(text) for text in grid.wrapped_through(cell) for p in (_DUE, _DELIVERY)
    )


_BARE_DATE_WORD = re.compile(r"\s*(?:date|datum|data|fecha|dátum)\s*", NOCASE)


_RANGE = re.compile(r"\s+(?:-|–|—|bis|to|až|au|tot|al|do|-tól)\s+|(?<=\d)\s?[-–]\s?(?=\d{1,2}\.)")


def _invoice_like(f: ExtractedFields) -> bool:
    """Under a title no vocabulary knows, a number, a date, an amount to pay and a party
    make an invoice: the most common document by far, and every field still checked."""
    parties = (f.supplier, f.customer)
    return (
        f.number is not None
        and f.issue_date is not None
        and f.total is not None
        and any(p.name or p.ico or p.ic_dph for p in parties)
    )


def _first(found: tuple[T, Cell] | None) -> T | None:
    return found[0] if found else None


def _doc_type(grid: Grid) -> DocType:
    found = _title_type("\n".join(grid.lines[:25]))
    if found not in (DocType.INVOICE, DocType.UNKNOWN):
        return found
    # a title the line broke ("OPRAVNÝ DAŇOVÝ | DOKLAD 2025001": a credit note, not an
    # invoice) is read with the next line; a letter-spaced one ("W A R E N R E C H N U N G")
    # as one word. Titles stand in the first rows, in short cells.
    extra = [
        f"{c.text} {under.text}"
        for row in grid.rows[:12]
        if len(row) <= 40  # a hostile page's row of thousands of cells is no title
        for c in row
        if len(c.text.split()) <= 4 and (under := next(grid.below(c), None)) is not None
    ]
    extra += [
        c.text.replace(" ", "")
        for row in grid.rows[:25]
        for c in row
        if re.fullmatch(r"(?:\w ){3,}\w", c.text.strip())
    ]
    deeper = _title_type("\n".join(extra)) if extra else DocType.UNKNOWN
    return found if deeper is DocType.UNKNOWN or found is deeper else deeper


def _title_says(grid: Grid, title: re.Pattern[str]) -> bool:
    return labels.search(title, "\n".join(grid.lines[:25])) is not None


def _title_type(text: str) -> DocType:
    """The first type whose title is in `text` (the list goes from the most specific: a
    credit note also says "invoice")."""
    for doc_type, pattern in labels.TITLES:
        if labels.search(pattern, text):
            return doc_type
    return DocType.UNKNOWN


def _doc_number_value(text: str) -> str | None:
    words = text.split()
    token = words[0].rstrip(".,;:") if words else ""
    if (
        len(words) > 1
        and re.fullmatch(r"[A-Z]{1,4}", token)
        and re.fullmatch(r"\d\w*[/-][\w/-]*\w", words[1])
        and parse_date(words[1]) is None
    ):
        # a series before its number: "F 1234K20/1234/12", "FV 12/2026"
        return f"{token} {words[1]}"
    if len(words) > 1 and re.fullmatch(r"[\d/\-]+", words[1]) and parse_date(words[1]) is None:
        return None  # "RE-20 201121/50 8": a text layer with spaces inside the number
    if len(words) > 1 and re.fullmatch(r"\d{1,2}", token) and re.search(r"\d", words[1]):
        return None  # "n.2 F26/244": OCR's "2" for the º of "n.º", the number after it
    if re.fullmatch(r"\d{1,2}\.", words[0]):
        return None  # "25. Januar", "23.": the day of a date the line broke, no number
    if token.endswith(("-", "/")):
        return None  # the rest went to the next line: no number yet
    if _NUMBER_VALUE.match(token) and re.search(r"\d", token) and parse_date(token) is None:
        return token
    return None


def _refers_to(grid: Grid) -> tuple[str | None, Cell | None]:
    found = grid.value_for(_REFERS_TO, _doc_number_value)
    return (found[0], found[1]) if found else (None, None)


def _doc_number(grid: Grid, refers_cell: Cell | None) -> str | None:
    def not_referred(value: str | None) -> bool:
        return value is not None and (refers_cell is None or value != refers_cell.text.split()[-1])

    bare_words = []  # "Nummer | FV-1", the last resort: a party's number is printed so too
    for cell, m in grid.find(_NUMBER, wrapped=True):
        if _REFERS_TO.search(cell.text[: m.end()]):
            continue
        if labels.NUMBER_WORD.match(cell.text):
            bare_words.append(cell)
            continue
        rest = value_text(label_tail_removed(cell.text[m.end() :]))
        around = (grid.right_of(cell), *grid.below(cell))
        candidates = [rest] if rest else [value_text(_broken_number(grid, c)) for c in around if c]
        for text in candidates:
            value = _doc_number_value(text)
            if not_referred(value):
                return value
    title = _title_number(grid)
    if not_referred(title):
        return title
    for cell in bare_words:
        right = grid.right_of(cell)
        value = _doc_number_value(value_text(right.text)) if right else None
        if value is None and _facts_head(grid, cell):
            under = next(grid.below(cell, 1), None)
            value = _doc_number_value(under.text) if under is not None else None
            if value is not None and len(value) < 3:
                value = None  # "1": a line number after all
        if not_referred(value) and not _under_party_header(grid, cell):
            return value
    for cell, m in grid.find(labels.REF_NUMBER):
        rest = value_text(cell.text[m.end() :])
        right = grid.right_of(cell)
        value = _doc_number_value(rest or (right.text if right is not None else ""))
        if not_referred(value):
            return value
    return None


def _broken_number(grid: Grid, cell: Cell) -> str:
    """A number its column broke after a dash or slash ("FV-26- | 4038"), joined again."""
    under = grid.line_under(cell) if cell.text.endswith(("-", "/")) else None
    if under is not None and re.fullmatch(r"[A-Z0-9][\w/\-.]*", under.text, NOCASE):
        return cell.text + under.text
    return cell.text


def _facts_head(grid: Grid, cell: Cell) -> bool:
    """`cell` heads a column of a row of the document's facts ("Number | Date of issue |
    Payment due" over one row of values), not of the items, whose "Nr." heads line numbers:
    a date label beside it."""
    row = grid.rows[cell.row]
    if len(row) > LABEL_ROW_CELLS:
        return False  # a hostile page's row of thousands of "Nr." cells: no facts row
    if any(p.search(c.text) for c in row if c is not cell for p in (_ISSUE, _DUE, _DELIVERY)):
        return True
    # the last line of a wrapped header ("Invoice | number"): its neighbours' labels may
    # stand level with its first line ("Date of issue" beside "Invoice")
    top = first.row if (first := grid.wrapped_from(cell)) is not None else cell.row
    heads = [r for r in grid.rows[top : cell.row] if len(r) <= LABEL_ROW_CELLS]
    return any(p.search(c.text) for r in heads for c in r for p in (_ISSUE, _DUE, _DELIVERY))


def _under_party_header(grid: Grid, cell: Cell) -> bool:
    """Right under a supplier's, customer's or delivery header, in its column: the first
    lines of that party's block ("Verkäufer / Nummer: 549910")."""
    return any(
        cell.row - 3 <= head.row < cell.row and abs(head.left - cell.left) < 20
        for pattern in (_SUPPLIER, _CUSTOMER, labels.SHIP_TO)
        for head in _party_heads(grid, pattern)
    )


_TITLE_NUMBER = re.compile(
    r"^(?:\s*(?:VAT|-|–|daňový doklad|tax invoice))*\s*"
    r"(?:č\.|číslo|nr\.?|no\.?|n°|nº|#|number|nummer|numéro|numero|numer|szám)?"
    r"\s*:?\s*(\S+)\s*$",
    NOCASE,
)


def _title_number(grid: Grid) -> str | None:
    """The number printed with the title ("Rechnung R0001234567", "Facture F2026-0042",
    "Faktura VAT FV/2026/06/126"): a title word at the start of a cell in the first rows and
    one number-like token after it, or alone in the cell right of or under it; a number the line
    broke after a dash or slash is joined to the digits that went to the next line."""
    for row in grid.rows[:15]:
        for cell in row:
            m = labels.ANY_TITLE.search(cell.text)
            if m is None or len(cell.text[: m.start()].split()) > 1:
                continue
            end = _past_title_words(cell.text, m.end())
            tail = _TITLE_NUMBER.match(cell.text[end:])
            token = tail.group(1) if tail else None
            bare = not cell.text[end:].strip(" :-–")
            under = next(grid.below(cell), None)
            for near in (grid.right_of(cell) if bare else None, under):
                # the number alone, or with its sign ("č. 2025001", "Nr. 42") under the title
                alone = _TITLE_NUMBER.fullmatch(near.text) if near is not None else None
                if near is None or alone is None:
                    continue
                if token is None and bare and _doc_number_value(alone.group(1)):
                    token = alone.group(1)
                elif token and token[-1] in "-/" and _doc_number_value(near.text):
                    token += near.text  # "RECHNUNG INV- | 2025-64747"
            if under is not None and not (token and _doc_number_value(token)):
                # the title itself wrapped: "Faktura - daňový | doklad F2025-1937"
                joined = f"{cell.text} {under.text}"
                rest = joined[_past_title_words(joined, m.end()) :]  # "… daňový | doklad F1"
                if (again := _TITLE_NUMBER.match(rest)) is not None:
                    token = again.group(1)
            if token and token[-1] not in "-/" and (value := _doc_number_value(token)):
                return value
    return None


def _title_date(grid: Grid, a_date: Callable[[str], date | None]) -> date | None:
    """A date alone on the title's line, no label anywhere: a letter's date set level with
    its subject ("Rechnung Nr. R6341485 | 26.08.2025"), as DIN 5008 letters print it."""
    for row in (r for r in grid.rows[:15] if len(r) <= 3):
        titles = [
            c
            for c in row
            if (m := labels.ANY_TITLE.search(c.text)) is not None
            and not c.text[: m.start()].strip()
        ]
        dates = [
            d
            for c in row
            if c not in titles and ":" not in c.text and (d := a_date(c.text)) is not None
        ]
        if titles and len(dates) == 1:
            return dates[0]
    return None


# a letter's place and date, as DIN 5008 sets it: "München, 08.08.2025", "Wien, am 3.2.2026"
_PLACE_AND_DATE = re.compile(
    r"[A-ZÄÖÜ][\w.-]+(?: [\w.-]+){0,2},(?: den| am)?\s*(\d{1,2}\.\s?\d{1,2}\.\s?\d{4})\s*"
)


def _letter_date(grid: Grid, a_date: Callable[[str], date | None]) -> date | None:
    """No date labelled: a letter's place and date, alone in its cell ("München, 08.08.2025";
    not "Fällig am, 20.08.2025": the place is no other date's label)."""
    for row in grid.rows[:40]:
        for cell in row:
            m = _PLACE_AND_DATE.fullmatch(cell.text)
            if m is not None and not any(p.search(cell.text) for p in (_DUE, _DELIVERY)):
                return a_date(m.group(1))
    return None


_BETWEEN_WORDS = re.compile(r"\s+(?:[-–]\s+)?|[-–]")  # "Proforma-Rechnung 007307" too


def _past_title_words(text: str, end: int) -> int:
    """Past the title words that follow a title word ("Proforma invoice 20260758", "Faktura -
    daňový doklad F1"): each a word of its own, so "Invoice-2025-01" stays a number."""
    while (gap := _BETWEEN_WORDS.match(text, end)) is not None:
        more = labels.ANY_TITLE.match(text, gap.end())
        if more is None or (more.end() < len(text) and not text[more.end()].isspace()):
            break
        end = more.end()
    return end


def _vs(text: str) -> str | None:
    """The digits a variable symbol is; not the day of a date nor an amount ("8. 9. 2026")."""
    m = re.match(r"(\d{1,10})\b(?![.,/:-]\s?\d)", text.strip())
    return m.group(1) if m else None


def _money(text: str) -> Decimal | None:
    found = parse_amount(text)
    return found[0] if found else None


def _total(grid: Grid) -> tuple[Decimal | None, str | None]:
    for tier, label in enumerate(_TOTALS):
        # the weakest labels ("Celkem s DPH") also head table columns: only a value right of
        # them; any label in a row of column heads ("Preis | Gesamtbetrag") heads a column
        weak = tier >= len(_TOTALS) - labels.WEAK_TOTALS
        found = grid.value_for(label, parse_amount, below=not weak, skip=_column_head)
        if found:
            (value, currency), cell = found
            payable = _row_gross(grid, cell, value) if weak else value
            if payable is not None:
                return payable, currency
    for head, _ in grid.find(labels.PAYABLE_COLUMN):
        if _column_head(grid, head) and (summed := _summed_column(grid, head)) is not None:
            return summed
    return None, None


def _row_gross(grid: Grid, cell: Cell, first: Decimal) -> Decimal | None:
    """A bare "Total" whose line goes on with more amounts is a recap's sum row ("Total |
    6.918,63 | 1.127,91 | 8.046,54"): the gross is its last amount when the ones before
    make it; otherwise which one is payable is not known."""
    amounts = [a for c in grid.rows[cell.row][cell.index :] if (a := _money(c.text)) is not None]
    if len(amounts) < 2:
        return first
    *parts, last = amounts
    return last if sum(parts, Decimal(0)) == last else None


def _summed_column(grid: Grid, head: Cell) -> tuple[Decimal, str | None] | None:
    """The last amount under a column head when it is the sum of the two or more above it
    (a summary table's rows per VAT rate, then their total): the arithmetic proves it."""
    column = []
    for cell in grid.below(head, depth=8):
        if (amount := parse_amount(cell.text)) is None:
            break
        column.append(amount)
    if len(column) < 3:
        return None
    *rows, (last, currency) = column
    return (last, currency) if sum(v for v, _ in rows) == last else None


def _payment_documented(
    grid: Grid, payable: Decimal | None, vat: tuple[VatRow, ...]
) -> Decimal | None:
    """An advance tax document's total is the payment it documents (CONTRACT "Conventions"):
    "Prijatá platba celkom", else what it asks for unless that is nothing left to pay, else
    the VAT rows' sum."""
    received = _first(grid.value_for(labels.PAYMENT_RECEIVED, _money))
    if received is not None:
        return received
    if payable:
        return payable
    return sum((r.base + r.vat for r in vat), Decimal(0)) if vat else None


def _column_head(grid: Grid, cell: Cell) -> bool:
    row = grid.rows[cell.row]
    return len(row) >= 4 and not any(c.isdigit() for other in row for c in other.text)


def _currency_code(text: str) -> str | None:
    m = re.match(r"\s*:?\s*([A-Z]{3})\b", text)
    return m.group(1) if m and m.group(1) in CURRENCY_SIGNS.values() else None


def _main_currency(grid: Grid) -> str | None:
    text = "\n".join(grid.lines)
    counts = {
        code: len(re.findall(pat, text))
        for code, pat in (("EUR", r"€|\bEUR\b"), ("CZK", r"\bKč\b|\bCZK\b"))
    }
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] and list(counts.values()).count(counts[best]) == 1 else None


def _parties(grid: Grid, doc_type: DocType) -> tuple[Party, Party]:
    sup, cus = _party_blocks(grid, doc_type)
    if cus.ic_dph is None and doc_type is not DocType.RECEIPT:
        # outside its block, the customer's VAT id is the one the page says is the reader's
        found = _outside_id(grid, "ic_dph", is_valid_vat_id, _ids(sup), introduced_as_theirs=True)
        cus = replace(cus, ic_dph=found)
    return sup, cus


def _party_blocks(grid: Grid, doc_type: DocType) -> tuple[Party, Party]:
    sup_heads = _party_heads(grid, _SUPPLIER)
    cus_heads = _party_heads(grid, _CUSTOMER)
    if not sup_heads and doc_type is DocType.RECEIPT:
        return _party_block(grid, None, grid.rows[:12]), Party()
    ship_heads = [c for c, _ in grid.find(labels.SHIP_TO)]
    sup = _block_for(grid, sup_heads[0], [*cus_heads[:1], *ship_heads]) if sup_heads else Party()
    cus = _block_for(grid, cus_heads[0], [*sup_heads[:1], *ship_heads]) if cus_heads else Party()
    if not sup_heads and not cus_heads:
        sup, cus = _window_envelope(grid)
        if sup.name is None:
            sup = replace(sup, name=_footer_name(grid))
        return sup, cus
    if not sup_heads:
        sup = _unheaded_supplier(grid, cus)
        if sup.name is None:
            sup = replace(sup, name=_footer_name(grid) or _letterhead(grid, cus, cus_heads[0]))
    elif not _ids(sup):  # its block names it; its VAT id is in the footer or the bank details
        sup = replace(sup, ic_dph=_outside_id(grid, "ic_dph", is_valid_vat_id, _ids(cus)))
    return sup, cus


_CONTACT = re.compile(r"@|\b\d{3}\s?\d{2}\b|\b\d{4,5}\b|\btel\b|\bphone\b|\+\d", NOCASE)


def _letterhead(grid: Grid, customer: Party, customer_head: Cell) -> str | None:
    """The name a letterhead prints first on the page, above the customer's header or beside
    it: the first cell of the first row that is no title, a name and no label, outside the
    customer's column, with its address or contact lines under it ("Sammy Maystone | INVOICE"
    over "smaystone4@fake.com"; "FACTURE F1" over "Imprimerie SA | FACTURÉ À")."""
    for at, row in enumerate(grid.rows[: customer_head.row + 1]):
        first = row[0]
        beside = at == customer_head.row
        if beside and stacked(customer_head, first):
            return None  # the customer's header itself: no letterhead beside it
        text = first.text.strip()
        fact = _fact_label(text) or (text.endswith(":") and len(row) > 1)
        if (_title_or_label(text) or fact) and not beside:
            continue  # a title or the document's facts above the letterhead
        if not _name_like(text) or _title_or_label(text) or clean_name(text) == customer.name:
            return None
        under = [c.text for below in grid.rows[at + 1 : at + 5] for c in below if stacked(first, c)]
        contact = (_CONTACT, _POSTCODE, _IC_DPH, _ICO, _DIC)  # address, phone, e-mail, ids
        if not any(p.search(t) for t in under for p in contact):
            return None
        return _name_wrapped(grid, first, None, text)
    return None


_FACTS = (_NUMBER, _ISSUE, _DELIVERY, _DUE, _VS, _REFERS_TO, labels.PAYMENT_METHOD)


def _fact_label(text: str) -> bool:
    """A cell that labels one of the document's facts ("Belegdatum:", "Zahlungsweise")."""
    return any(p.search(text) for p in _FACTS)


def _footer_name(grid: Grid) -> str | None:
    """The issuer's name as its legal footer prints it: a line of its own, with a legal
    form or in capitals, right above the registration / capital line ("NETPRESSE" over
    "Sarl au capital de … - RCS Paris …"); else the first part, with a legal form, of a
    footer line whose later parts register it."""
    for above, row in itertools.pairwise(grid.rows):
        if len(above) != 1 or not any(labels.LEGAL_FOOTER.search(c.text) for c in row):
            continue
        text = above[0].text.strip()
        if (
            _name_like(text)
            and not labels.TITLE_CELL.match(text)
            and not re.search(r"\d", text)
            and not re.search(r"[-–:,/]$", text)  # the first part of a broken line
            and ":" not in text  # a label's value ("Odberateľ: Firma s.r.o."), no footer's
            and (labels.LEGAL_FORM.search(text) or (text.isupper() and len(text) <= 40))
        ):
            return clean_name(text)
    for row in grid.rows:  # "Name SA | 12 rue de la Paix, 75002 Paris | RCS Paris B 829 …"
        parts = [p.strip() for c in row for p in _FOOTER_PARTS.split(c.text) if p.strip()]
        if (
            len(parts) >= 2
            and any(labels.LEGAL_FOOTER.search(p) for p in parts[1:])
            and not labels.LEGAL_FOOTER.search(parts[0])
            and labels.LEGAL_FORM.search(name := _comma_parts(parts[0])[0])
            and _name_like(name)
        ):
            return clean_name(name)  # not the address after it: "Firma, a.s., Ulica 6, …"
    return None


# The parts of a footer line: a sender line's dots and bars, not its commas and dashes,
# which stand inside a name ("Kováč & Tóth, s. r. o. | …", "Novák - Stavby s.r.o. | …")
_FOOTER_PARTS = re.compile(r"\s+[·•●|]\s+")


def _party_heads(grid: Grid, header: re.Pattern[str]) -> list[Cell]:
    """Cells that head a party block. "Customer: 2" is a customer number, not a header."""
    return [
        c
        for c, m in grid.find(header)
        if not re.match(r"\s*[:/]?\s*(?:no\.?|nr\.?|#)?\s*\d", c.text[m.end() :], NOCASE)
    ]


_COLUMN_GAP = 100.0  # points between two headers' left edges that make them two columns
# A party block's lines: twelve of its own column, not of the page, whose rows the column
# beside may double (facts set half a line off the address lines)
_BLOCK_LINES = 12
_EDGE_SLACK = 6.0  # points a block's lines may start left of its header


def _block_for(grid: Grid, head: Cell, others: list[Cell]) -> Party:
    """The cells under `head` down to the next party header (stacked) or in its column
    (side by side with another header: the other party, a delivery address)."""
    # another header in another column (side by side, or a sidebar) splits every row of the
    # block at the middle; one in this column below ends the block
    beside = [o for o in others if o is not head and abs(o.left - head.left) >= _COLUMN_GAP]
    below = [o for o in others if o.row > head.row and abs(o.left - head.left) < _COLUMN_GAP]
    stop = min((o.row for o in below), default=head.row + 2 * _BLOCK_LINES)
    rows: list[tuple[Cell, ...]] = []
    bare = not _SUPPLIER.sub("", _CUSTOMER.sub("", head.text)).strip(" :/")
    for row in grid.rows[head.row : min(head.row + 2 * _BLOCK_LINES, stop)]:
        if sum(1 for r in rows if any(c.left < head.left + _COLUMN_GAP / 2 for c in r)) >= (
            _BLOCK_LINES
        ):
            break
        if rows and row and _items_head(grid, row[0]):
            break  # the items' head ("Artikel | Anzahl | Stückpreis | MwSt. | Betrag")
        cells = [c for c in row if c.row != head.row or c.index >= head.index]
        if bare:  # a header alone: what stands far right of it on its line is another column
            cells = [c for c in cells if c.row != head.row or c.left - head.left < _COLUMN_GAP]
        cells = [c for c in cells if c.right > head.left - 2]  # a column left of a sidebar
        # a line of the column on the left run on into this one, too close to part as a
        # cell ("IE96BOFI17375279810428 Stavebniny-HOR s. r. o."): its words from here
        cells = [
            _words_from(c, head.left - _EDGE_SLACK) if c.left < head.left - _COLUMN_GAP / 2 else c
            for c in cells
        ]
        cells = [c for c in cells if c.text]
        for other in beside:
            # the right-hand header's left edge parts the columns: a block's content starts
            # under its header and may reach far right of its middle (a row of three
            # identifier columns under each party)
            edge = max(head.left, other.left) - _EDGE_SLACK
            cells = [c for c in cells if (c.left < edge) == (head.left < edge)]
        rows.append(tuple(cells))
    if not beside and (split := _second_party_edge(head, rows)) is not None:
        rows = [tuple(c for c in row if c.left < split) for row in rows]
    return _party_block(grid, head, rows)


def _items_head(grid: Grid, cell: Cell) -> bool:
    """`cell`'s row heads a table's columns and is no row of a party's identifier labels
    ("IČO | DIČ | IČ DPH" over their values)."""
    return _column_head(grid, cell) and not any(
        pattern[1].search(c.text)
        for c in grid.rows[cell.row]
        for pattern in labels.IDENTIFIERS.values()
    )


def _words_from(cell: Cell, x: float) -> Cell:
    """The words of `cell` from the one that starts nearest `x`, its place estimated by the
    share of the text before it (a cell has no positions inside); empty text when no word
    starts near `x`."""
    width, length = max(cell.right - cell.left, 0.1), max(len(cell.text), 1)
    starts = [m.end() for m in re.finditer(r"(?:^|\s)(?=\S)", cell.text)]
    near = min(starts, key=lambda i: abs(cell.left + width * i / length - x), default=None)
    if near is None or abs(cell.left + width * near / length - x) > _COLUMN_GAP / 4:
        return Cell(cell.row, cell.index, cell.right, cell.right, "")
    return part_from(cell, near)


def _second_party_edge(head: Cell, rows: list[tuple[Cell, ...]]) -> float | None:
    """Where another party's column starts when its header was not read (OCR): an IČO far
    right of `head` that differs from the one in `head`'s column."""
    own, far = set(), []
    for c in (c for row in rows for c in row):
        if (m := _ICO.search(c.text)) is not None:
            if c.left - head.left >= _COLUMN_GAP:
                far.append((c, compact_id(m.group(1))))
            else:
                own.add(compact_id(m.group(1)))
    if not own or not far or all(value in own for _, value in far):
        return None
    return min(c.left for c, _ in far) - _EDGE_SLACK


# A window envelope's sender line, above the address: "Firma GmbH - Straße 1 - 12345 Stadt"
# (one cell) or the same parts in cells with bullets between them.
_SENDER_PARTS = re.compile(r"\s+[-–·•●|]\s+")
_OCR_BULLET = re.compile(r"\s*:\s+")
_BULLETS = "-–·•●|"
# Slovak / Czech, four and five digits (most of Europe), an Irish Eircode ("D02 A342")
_POSTCODE = re.compile(
    r"\b(?:[A-Z]{1,2}-)?\d{3}\s?\d{2}\b|\b\d{4,5}\b|\b[AC-FHKNPRTV-Y]\d[\dW]\s[\dAC-FHKNPRTV-Y]{4}\b"
)


def _window_envelope(grid: Grid) -> tuple[Party, Party]:
    """No party headers: the sender line names the supplier and the address under it the
    customer, when the page has one in its first rows. Otherwise nothing is guessed."""
    for row in grid.rows[:15]:
        parts = _sender_parts(_sender_cells(row))
        if len(parts) < 2 or not _name_like(parts[0]):
            continue
        window = _window_lines(grid, row[0])
        if _sender_broke(parts[-1], [r[0].text for r in window[:2]]):
            parts, window = [*parts, window[0][0].text], window[1:]
        if _sender_address(parts):
            # the address under it: the first line in the sender line's column (a web address
            # printed beside the window may come first)
            under = [r[0] for r in window[:3]]
            customer = under[0].text if under and _name_like(under[0].text) else None
            ids = _party_block(grid, None, window) if customer else Party()
            supplier = replace(_outside_ids(grid, _ids(ids)), name=clean_name(parts[0]))
            return supplier, replace(ids, name=clean_name(customer))
    return Party(), Party()


def _sender_address(parts: list[str]) -> bool:
    """The parts after the name are an address: with its postcode ("Straße 1 · 12345 Stadt"),
    or, after a company's name, in three parts or more with a number ("70 Sir John
    Rogerson's Quay · Dublin 2": Irish addresses often go without their Eircode)."""
    address = " ".join(parts[1:])
    company = labels.LEGAL_FORM.search(parts[0]) is not None
    if _POSTCODE.search(address):
        return len(parts) >= 3 or company  # two parts: a company and its postcode's line
    return company and len(parts) >= 3 and re.search(r"\d", address) is not None


def _sender_parts(line: tuple[Cell, ...]) -> list[str]:
    """A sender line's parts: parted by bullets or dashes ("Firma GmbH · Straße 1 · 12345
    Stadt", in one cell or in cells with the bullets between them); by OCR's colons for
    its dots after a company's name; else by commas, a legal form staying with the name
    before it ("Mobilná sieť, a.s., Einsteinova 24, 851 01 Bratislava"). No part, or one,
    when the cells are side by side with nothing between them."""
    parts = [p for c in line for p in _SENDER_PARTS.split(c.text) if p not in _BULLETS]
    if parts and labels.LEGAL_FORM.search(_OCR_BULLET.split(parts[0])[0]):
        parts = [q for p in parts for q in _OCR_BULLET.split(p) if q]
    if len(parts) == len(line):  # no bullet, no colon: each cell one part
        joined = _comma_parts(", ".join(p.rstrip(", ") for p in parts))
        return joined if len(joined) >= 3 else []  # a name, a street, a city at least
    return parts


def _line_parts(text: str) -> list[str]:
    """A sender or footer line's parts: between its bullets, then its commas."""
    return [q for p in _SENDER_PARTS.split(text) for q in _comma_parts(p)]


def _comma_parts(text: str) -> list[str]:
    """`text` parted at its commas, a legal form staying with the name before it ("Mobilná
    sieť, a.s., Einsteinova 24" is the name and the street)."""
    joined: list[str] = []
    for part in re.split(r",\s+", text):
        if joined and _LEGAL_FORM_ALONE.fullmatch(part):
            joined[-1] = f"{joined[-1]}, {part}"
        else:
            joined.append(part)
    return joined


_LEGAL_FORM_ALONE = re.compile(rf"(?:spol\.\s?)?(?:{labels.LEGAL_FORM.pattern})\s*", NOCASE)


def _outside_ids(grid: Grid, theirs: set[str]) -> Party:
    """The identifiers labelled outside the other party's block (one value each, or none)."""

    def only(key: str, valid: Callable[[str], bool]) -> str | None:
        return _outside_id(grid, key, valid, theirs)

    return Party(
        ico=only("ico", is_valid_ico),
        dic=only("dic", lambda v: bool(re.fullmatch(r"(?:CZ|SK)?\d{8,10}", v))),
        ic_dph=only("ic_dph", is_valid_vat_id),
    )


def _sender_cells(row: tuple[Cell, ...]) -> tuple[Cell, ...]:
    """The row's first cell and those a bullet or a comma ending the cell before joins to
    it ("Firma GmbH | · | Straße 1", OCR's "Firma, a.s., | Ulica 4, 825 11"): the
    document's facts beside a sender line are not its parts."""
    n = 1
    while n < len(row) and (
        row[n - 1].text.rstrip().endswith(",")
        or any(
            t in _BULLETS or t.endswith(tuple(_BULLETS)) or t.startswith(tuple(_BULLETS))
            for t in (row[n - 1].text.strip(), row[n].text.strip())
        )
    ):
        n += 1
    return row[:n]


def _sender_broke(end: str, window: list[str]) -> bool:
    """The sender line went on into the window's first line: it ends in a comma, dash or
    bullet, with no word or with a postcode ("… · 1030" over "Wien", "Dublin 2," over "D02
    A342", "L-1855" over "Luxembourg"); or that line has no legal form and the next one,
    a company's name, has ("Dublin 2, D02" over "A342, Ireland" over "Firma s.r.o."; a
    contact person over the company is no customer either)."""
    if not window:
        return False
    if end.endswith((",", ":", *_BULLETS)) or not re.search(r"[^\W\d_]", end):
        return True
    if _POSTCODE_ALONE.search(end):
        return True
    second = window[1] if len(window) > 1 else ""
    return not labels.LEGAL_FORM.search(window[0]) and labels.LEGAL_FORM.search(second) is not None


_POSTCODE_ALONE = re.compile(r"(?:^|\s)(?:[A-Z]{1,2}-)?(?:\d{4,5}|\d{3} \d{2})$")


def _window_lines(grid: Grid, sender: Cell) -> list[tuple[Cell, ...]]:
    """The address under a sender line: the next rows' cells that start near its left edge
    (the line may be indented a little; the document's facts may stand right of them), to
    the title, the items or an amount, seven lines at most."""
    out: list[tuple[Cell, ...]] = []
    for row in grid.rows[sender.row + 1 : sender.row + 10]:
        cells = tuple(c for c in row if stacked(sender, c) and abs(c.left - sender.left) < 25)
        if len(row) > LABEL_ROW_CELLS or len(out) == 7:
            break
        if cells and (labels.TITLE_CELL.match(cells[0].text) or _DECIMALS.search(cells[0].text)):
            break
        if cells:
            out.append(cells)
    return out


_DECIMALS = re.compile(r"\d[.,]\d\d(?!\d)")


def _unheaded_supplier(grid: Grid, customer: Party) -> Party:
    """The supplier when only the customer has a header: its name from the sender line above
    a window address or from the legal footer's first part, its identifiers from the labelled
    ones printed outside the customer's block (one value each, or none)."""

    def sender(cell: Cell) -> str | None:
        parts = [q for q in _line_parts(cell.text) if q.strip(" -–·•●|")]
        if len(parts) < 3 or not _POSTCODE.search(" ".join(parts[1:3])):
            return None
        name = clean_name(parts[0]) if _name_like(parts[0]) else None
        return name if name and name != customer.name and labels.LEGAL_FORM.search(name) else None

    name = next((n for c in grid.cells() if (n := sender(c))), None)
    return replace(_outside_ids(grid, _ids(customer)), name=name)


_THEIRS = re.compile(
    r"(?:\buw|\byour|\bihre?|\bvotre|\bcustomer|\bkunden?|\bclient|\bklant|\bvevő|\bnabywcy)\W*$",
    NOCASE,
)
_THEIRS_TAIL = re.compile(
    r"\b(?:client|klant|cliente|kunde|nabywcy|customer|acquirente|odberateľa|odběratele)\b", NOCASE
)


def _theirs(before: str, label: str) -> bool:
    """An identifier introduced as the reader's: "Uw btw-nummer", "Ihre UID", "N° TVA client"
    (`before`: the cell's text before the label)."""
    return bool(_THEIRS.search(before) or _THEIRS_TAIL.search(label))


def _ids(p: Party) -> set[str]:
    return {v for v in (p.ico, p.dic, p.ic_dph) if v is not None}


def _outside_id(
    grid: Grid,
    key: str,
    valid: Callable[[str], bool],
    exclude: set[str],
    introduced_as_theirs: bool = False,
) -> str | None:
    """The one valid identifier (`key`: ico, dic, ic_dph) labelled anywhere on the page (a legal footer, bank
    and tax details: "USt.-Identnr.: | DE…", label and value in cells side by side) that is
    not in `exclude` (the other party's) nor introduced as the reader's ("Ihre USt-IdNr.") —
    or, with `introduced_as_theirs`, only one so introduced; None when several or none."""
    whole, label, value = labels.IDENTIFIERS[key]
    found = set()
    for cell in grid.cells():
        hits = [(m.group(0), m.group(1), m.start()) for m in whole.finditer(cell.text)]
        m = None if hits else label.search(cell.text)
        places = [grid.right_of(cell)] if m else []  # "USt.-Identnr.: | DE123456789"
        if m and not cell.text[m.end() :].strip(" :"):
            # a footer line broken after "VAT No.:"; a label over its value in a block
            # whose right is the other party's column ("N° TVA intracommunautaire:" over
            # "FR57213676950", "811 01 Bratislava" beside it)
            places += [grid.line_after(cell), grid.line_under(cell)]
        found_at = (v for o in places if o is not None and (v := value.match(o.text)))
        if m and (v := next(found_at, None)):
            hits.append((m.group(0), v.group(1), m.start()))
        for said, raw, start in hits:
            candidate = compact_id(raw)
            if (
                _theirs(cell.text[:start], said) == introduced_as_theirs
                and candidate not in exclude
                and valid(candidate)
            ):
                found.add(candidate)
    return found.pop() if len(found) == 1 else None


def _name_like(text: str) -> bool:
    return (
        len(text) > 2
        and not re.search(r"\d{5}|IČ|DIČ|DPH|:\s*$|@|https?:|www\.", text)
        and not re.match(r"\d{3} \d{2}\s", text)  # a Slovak or Czech postcode: "811 01 Bratislava"
        and bool(re.search(r"[^\W\d_]{2}", text))
        and not (_STREET.match(text) and not labels.LEGAL_FORM.search(text))
    )


# A street and its house number ("Hauptstraße 87/A", "Nám. SNP 65", "12 Grafton Street"):
# an address line, where a page's first lines (a scan cut at the top) leave no name
_STREET = re.compile(
    r"^[^\d,]+\s\d{1,4}[a-zA-Z]?(?:/(?:\d{1,4}[a-zA-Z]?|[a-zA-Z]))?$|^\d{1,4}[a-zA-Z]?\s[^\d,]+"
    r"(?:street|road|avenue|lane|st\.|rd\.)$"
    # the house number first, then the street's kind: "12 rue de la Paix", "3 bis avenue Foch"
    r"|^\d{1,4}[a-zA-Z]?,?\s(?:bis\s|ter\s)?(?:rue|avenue|av\.|boulevard|bd|place|allée|chemin"
    r"|impasse|quai|route|cours|square)\s[^\d]+$",
    NOCASE,
)


def clean_name(text: str | None) -> str | None:
    """A party's name without what printers put before it: a salutation, a GLN, a customer
    or supplier number ("GLN 4333741000005 Lief-Nr: 549910 MUSTERLIEFERANT GMBH")."""
    if not text:
        return None
    name = labels.NAME_NOISE.sub("", text).strip(" ,;")
    if m := labels.CONTACT_AFTER_COMMA.match(name):
        name = m["company"].strip()
    name = name.replace(" © ", " & ").replace(" € ", " & ")  # how OCR reads an ampersand
    if _SENTENCE_END.search(name) and not _ENDS_WITH_FORM.search(name):
        name = name[:-1]  # "Martin Baláž." (a stray dot), not "Co." nor "s.r.o."
    return name if len(name) > 1 else None


_SENTENCE_END = re.compile(r"\b[^\W\d_]{4,}\.$")


def _party_block(
    grid: Grid, head: Cell | None, rows: list[tuple[Cell, ...]] | tuple[tuple[Cell, ...], ...]
) -> Party:
    text_cells = [c for row in rows for c in row]
    inside = {(c.row, c.index) for c in text_cells}
    ids = {key: _block_id(grid, text_cells, inside, *p) for key, p in labels.IDENTIFIERS.items()}
    ico = ids["ico"].replace(" ", "") if ids["ico"] else None
    dic, ic_dph = ids["dic"], ids["ic_dph"] or _bare_vat_id(text_cells)
    name = next(
        (
            clean_name(c.text)
            for c in text_cells
            if c.index > 0
            and (c.row, c.index - 1) in inside
            and labels.NAME_LABEL.match(grid.rows[c.row][c.index - 1].text)
            and _name_like(c.text)
        ),
        None,
    )
    # the name stands above its identifiers: what comes under them is the block's end, or
    # the page's next part when the block runs on (the facts, the items)
    ids_at = min(
        (
            c.row
            for c in text_cells
            if (head is None or c.row > head.row)
            and (_ICO.search(c.text) or _IC_DPH.search(c.text))
        ),
        default=None,
    )
    for c in text_cells if name is None else ():
        if ids_at is not None and c.row > ids_at:
            break
        text = c.text
        if head is not None and c is head:
            # what follows the header word: ": Name", "/ Supplier" (a translation), or nothing
            text = _SUPPLIER.sub("", _CUSTOMER.sub("", text))
            text = re.sub(r"^\s*/[^:]*", "", text).lstrip(" :")
        elif head is not None and c.row == head.row and c.index == head.index + 1:
            pass  # the header's own value: "Nabywca: | GŁÓWNY URZĄD STATYSTYCZNY"
        elif _is_label_value(grid, c, inside) or labels.SHIP_TO.search(text):
            continue
        if _title_or_label(text):
            continue  # the title beside a sidebar's block, a field's label
        if text and _name_like(text) and (name := _name_wrapped(grid, c, inside, text)):
            break
    return Party(
        name=name,
        ico=ico,
        dic=compact_id(dic) if dic else None,
        ic_dph=compact_id(ic_dph) if ic_dph else None,
    )


_DANGLING = re.compile(r"\s[-–&]\s*$|,\s*$")  # a name broken after its dash, "&" or comma
_NAME_GOES_ON = re.compile(r"^[^\W\d_A-Z]", re.UNICODE)  # a word starting lower-case
_ENDS_WITH_FORM = re.compile(rf"(?:{labels.LEGAL_FORM.pattern})\s*$", NOCASE)


def _name_wrapped(
    grid: Grid, cell: Cell, inside: set[tuple[int, int]] | None, printed: str
) -> str | None:
    """The name `printed` in `cell`, cleaned (None if nothing is left of it), with its next
    line when a narrow column broke it: a line under it in the block that goes on in lower
    case ("Ing. Katarína Šimko - Reklamné | štúdio", "Kvetinárstvo Horváth | spol. s
    r.o.") or with a legal form while the name does not end with one
    ("MÜLLER SOFTWARE | GmbH & Co. KG", "KRÜGER | MASCHINENBAU e.K.", "… GmbH & Co. | KG"),
    and has no digits. An address line starts with a capital and has no legal form. A
    person's name over a company's is its contact person: the company is the name."""
    if (name := clean_name(printed)) is None:
        return None
    under = grid.line_under(cell)
    if (
        under is None
        or (inside is not None and (under.row, under.index) not in inside)
        # the next row, or the one after where a line of the column beside stands between
        # and the name goes on in lower case ("PROCHÁZKA REKLAMA spol. s | r.o.")
        or not (
            under.row == cell.row + 1
            or (under.row == cell.row + 2 and _NAME_GOES_ON.match(under.text))
        )
        or any(ch.isdigit() or ch in "@:/" for ch in under.text)
        or under.text.startswith("www")
    ):
        return name
    if (
        _DANGLING.search(printed)
        and not _ENDS_WITH_FORM.search(printed.rstrip(" ,-–&"))
        and len(under.text.split()) <= 4
    ):
        # "Ing. Katarína Varga - | Drevovýroba"
        return clean_name(f"{printed} {under.text}") or name
    if (
        _PERSON.fullmatch(name)
        and labels.LEGAL_FORM.search(under.text)
        and labels.LEGAL_FORM.sub("", under.text).strip(" ,.&-")
    ):
        # a contact person over the company ("Ján Novák | Beta Obchod s.r.o."), not a name
        # the column broke ("Technik Becker | GmbH" has no name of its own under it): the
        # party is the company
        return clean_name(under.text) or name
    if len(under.text.split()) > 4 or not (
        _NAME_GOES_ON.match(under.text)
        or (labels.LEGAL_FORM.search(under.text) and not _ENDS_WITH_FORM.search(name))
    ):
        return name
    # joined as printed, then cleaned: "Kováč spol." is no stray dot before "s r.o."
    return clean_name(f"{printed} {under.text}") or name


# A person's name: a title at most, then two or three capitalised words of letters
_PERSON = re.compile(
    r"(?:(?:Ing|Mgr|Bc|Dr|JUDr|MUDr|RNDr|PhDr)\.\s?)?[^\W\d_][^\W\d_A-Z]+(?: [^\W\d_][^\W\d_A-Z]+){1,2}"
)


def _title_or_label(text: str) -> bool:
    """A document's title ("RECHNUNGS-KORREKTUR", "Tax invoice") or a field's label
    ("Kundennummer", "Seite 1", "Bemerkungen"): never a party's name."""
    if labels.LEGAL_FORM.search(text):
        return False
    if labels.TITLE_CELL.match(text) or labels.NOT_A_NAME.match(text):
        return True
    short = len(text.split()) <= 3
    return short and (bool(labels.ANY_TITLE.search(text)) or _fact_label(text))


_BARE_VAT_ID = re.compile(r"\s*([A-Z]{2}\s?[0-9A-Z][0-9A-Z ]{7,13})\s*")


def _bare_vat_id(cells: list[Cell]) -> str | None:
    """A VAT id alone on a line of the block, with no label ("SK2020104735" under the
    address): its country prefix and check digits say what it is."""
    for c in cells:
        if (m := _BARE_VAT_ID.fullmatch(c.text)) and is_valid_vat_id(compact_id(m.group(1))):
            return m.group(1)
    return None


def _block_id(
    grid: Grid,
    cells: list[Cell],
    inside: set[tuple[int, int]],
    whole: re.Pattern[str],
    label: re.Pattern[str],
    value: re.Pattern[str],
) -> str | None:
    """An identifier of a party's block: label and value in one cell, else a label ending its
    cell and the value alone in the block's cell right of it or under it (a row of labels
    "IČO | DIČ | IČ DPH" over a row of values: each value by its own column, never the
    neighbour's)."""
    for c in cells:
        if m := whole.search(c.text):
            return m.group(1).strip()
    for c in cells:  # a line broken inside the label or before the value: "IČ pre | DPH: SK…"
        after = grid.line_under(c)
        if after is not None and (after.row, after.index) in inside:
            m = whole.search(f"{c.text} {after.text}")
            if m is not None and m.start() < len(c.text) < m.end():
                return m.group(1).strip()
    for c in cells:
        if not label.search(c.text):
            continue
        for other in (grid.right_of(c), *grid.below(c)):
            if (
                other is not None
                and (other.row, other.index) in inside
                and (m := value.match(other.text))
            ):
                return m.group(1).strip()
    return None


def _is_label_value(grid: Grid, cell: Cell, block: set[tuple[int, int]]) -> bool:
    """The value of a label to its left in the same block ("Payment terms: | Net 30 days"),
    not a name. A label of the column beside ("SWIFT:" of the bank details) is not its."""
    return (
        cell.index > 0
        and (cell.row, cell.index - 1) in block
        and grid.rows[cell.row][cell.index - 1].text.rstrip().endswith(":")
    )


def finished(
    f: ExtractedFields, unreadable_iban: bool = False, also: Iterable[Flag] = ()
) -> ExtractedFields:
    """The flags and missing fields that follow from the values kept, by one rule for every
    reader (the print, an e-invoice, the two merged, a person's correction): invalid IČO /
    IČ DPH / IBAN recomputed, the reading's other flags and `also` kept, and the required
    fields left empty."""
    kept = [fl for fl in f.flags if fl not in _IDENTIFIER_FLAGS]
    flags = dict.fromkeys([*kept, *identifier_flags(f, unreadable_iban), *also])
    return replace(f, flags=tuple(flags), missing=missing_required(f))


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
    """Rows "rate % base vat" where vat ≈ base × rate: the recap table, not item lines;
    else the summary lines under the items."""
    return _vat_recap(grid) or _vat_summary(grid)


def _vat_recap(grid: Grid) -> tuple[VatRow, ...]:
    rows: dict[str, VatRow] = {}
    for i, row in enumerate(grid.rows):
        first = 1 if len(row) > 2 and _CATEGORY.match(row[0].text) else 0
        m = _rate_in(row[first])
        if not m:
            continue
        rate = Decimal(m.group(1).replace(",", "."))
        if m.re is _BARE_RATE and rate not in _EU_RATES:
            continue
        pairs = _rate_pairs(row[first + 1 :], rate)
        for near in _centred_lines(grid, i, row[first]) if not pairs else ():
            if pairs := _rate_pairs(sorted((*row[first + 1 :], *near), key=_left), rate):
                break
        if pairs:
            key = f"{rate.normalize():f}"
            base, vat = pairs[0]
            if key in rows and rows[key] != VatRow(key, base, vat):
                return ()  # two different rows for one rate: not sure which to trust
            rows[key] = VatRow(key, base, vat)
    return tuple(rows.values())


def _vat_columns(grid: Grid) -> tuple[VatRow, ...]:
    """VAT rows of a table whose rate stands in a column of its own among the amounts
    ("Nettobetrag | MwSt-Betrag | MwSt-% | Endbetrag" over "-4,85 | -0,92 | 19,0 | -5,77";
    "Basisbetrag | Steuersatz [%] | Steuerbetrag" over "113,03 | 7 | 7,91"): under the rate
    head, each row's rate and the base and tax beside it that it proves."""
    for head, _ in grid.find(labels.RATE_HEAD):
        if _column_head(grid, head) and (rows := _rate_column(grid, head)):
            return rows
    return ()


def _rate_column(grid: Grid, head: Cell) -> tuple[VatRow, ...]:
    """The rows under one rate head, each proved by its amounts; none when a row is not (an
    items table's rate column) or two disagree for one rate."""
    rows: dict[str, VatRow] = {}
    for cell in grid.below(head, depth=6):
        m = _RATE_CELL.match(cell.text) or _WHOLE_RATE.match(cell.text)
        if m is None or (rate := Decimal(m.group(1).replace(",", "."))) not in _EU_RATES:
            break
        pairs = _rate_pairs((c for c in grid.rows[cell.row] if c is not cell), rate)
        key = f"{rate.normalize():f}"
        if not pairs or rows.get(key, VatRow(key, *pairs[0])) != VatRow(key, *pairs[0]):
            return ()
        rows[key] = VatRow(key, *pairs[0])
    return tuple(rows.values())


_WHOLE_RATE = re.compile(r"^\s*(\d{1,2}(?:[.,]\d{1,2})?)\s*$")


def _vat_printed(grid: Grid) -> bool:
    """A line with a tax word, a rate and an amount ("VAT (23%) €951.23", "DPH 23 %: 551,60")."""
    return any(
        labels.TAX_WORD.search(line)
        and _SUMMARY_RATE.search(line)
        and amounts_in(_SUMMARY_RATE.sub("", line))
        for line in grid.lines
    )


_TAX_TOTAL = re.compile(
    r"\s*(?:total\s+|gesamt\s+|celková\s+)?(?:tax|vat|dph|mwst\.?|ust\.?|tva|btw|iva|áfa)"
    r"(?:\s+(?:total|gesamt|spolu|celkem|celkom|summe|amount|összesen|razem))?\s*:?\s*",
    NOCASE,
)
_ITEM_RATE = re.compile(r"\s*(\d{1,2}(?:[.,]\d{1,2})?)\s?%\s*")


def _tax_total(grid: Grid) -> Decimal | None:
    """The tax alone under the items, no rate with it ("Total Tax | €11,378.06", "DPH spolu |
    436,11 €", "MwSt. | € 5.722,13"): a label cell of its own and one amount beside it."""
    for cell, _ in grid.find(_TAX_TOTAL):
        if _TAX_TOTAL.fullmatch(cell.text) is None or _column_head(grid, cell):
            continue
        beside = grid.right_of(cell)
        if beside is not None and (amount := _money(beside.text)) is not None:
            return amount
    return None


def _vat_of_tax_total(grid: Grid, total: Decimal | None, tax: Decimal) -> tuple[VatRow, ...]:
    """One VAT row from a tax total and the one rate every item line shows under a tax
    column's head ("Item | Qty | Price | Tax | Total" over "… | 20% | …"): its base is the
    total less the tax, taken only when the tax is that rate of it to the cent. Items of
    two rates give no row: how the tax splits is not printed."""
    if total is None:
        return ()
    rates: set[Decimal] = set()
    for head, _ in grid.find(labels.TAX_WORD):
        if not (_column_head(grid, head) and labels.TAX_WORD.fullmatch(head.text.strip(" .:"))):
            continue
        for cell in grid.below(head, depth=60):
            if (m := _ITEM_RATE.fullmatch(cell.text)) is None:
                break
            rates.add(Decimal(m.group(1).replace(",", ".")))
    if len(rates) != 1:
        return ()
    rate = rates.pop()
    base = total - tax
    if abs(base * rate / 100 - tax) > Decimal("0.02"):
        return ()
    return (VatRow(f"{rate.normalize():f}", base, tax),)


def _rate_in(cell: Cell) -> re.Match[str] | None:
    """The rate that heads a recap row: ending its first cell ("Základ 23 %"), the whole cell
    ("20.0"), or the one rate of a tax line ("TVA 0% livraisons intracommunautaires")."""
    found = _RATE.search(cell.text) or _BARE_RATE.match(cell.text)
    if found is None and labels.TAX_WORD.search(cell.text):
        # words after the rate: the category it is, not a label and its value ("DPH 21 %:")
        rates = list(_SUMMARY_RATE.finditer(cell.text))
        worded = len(rates) == 1 and _WORDS_AFTER.match(cell.text, rates[0].end())
        found = rates[0] if worded else None
    return found


_WORDS_AFTER = re.compile(r"\s+[^\W\d_]{3,}")


def _rate_pairs(cells: Iterable[Cell], rate: Decimal) -> list[tuple[Decimal, Decimal]]:
    """(base, vat) of a recap line's amounts, vat ≈ base × rate."""
    amounts = [a for c in cells for a in amounts_in(c.text)]
    pairs = [(b, v) for b, v in itertools.pairwise(amounts) if _taxed(b, v, rate)]
    # "base | vat | base + vat" with the VAT misread or unreadable (OCR): the gross column
    # and the rate agree on what the VAT is; with the base unreadable, on what the base is.
    # Worked out, they must be right to the cent: the slack a printed pair gets for rounding
    # per line would let a total below stand for a gross.
    return (
        pairs
        or [
            (b, g - b)
            for i, b in enumerate(amounts)
            for g in amounts[i + 1 :]
            if _taxed(b, g - b, rate, exact=True)
        ]
        or [
            (g - v, v) for v, g in itertools.pairwise(amounts) if _taxed(g - v, v, rate, exact=True)
        ]
    )


def _left(cell: Cell) -> float:
    return cell.left


def _centred_lines(grid: Grid, index: int, rate: Cell) -> Iterator[tuple[Cell, ...]]:
    """The lines above and below a recap line whose amounts wrapped in their cells
    ("-3.316,26 | €"), the rate and the rest centred between their lines: each when all of
    it stands right of the rate and it has no rate of its own."""
    for near in (index - 1, index + 1):
        if 0 <= near < len(grid.rows):
            line = grid.rows[near]
            if all(c.left >= rate.right for c in line) and not _rate_in(line[0]):
                yield line


def _last_amount(text: str) -> int | None:
    """Where the last amount of `text` starts, if it has one after some words."""
    starts = [
        m.start("minus" if m.group("minus") else "num")
        for m in AMOUNT_RE.finditer(text)
        if m.group("num").strip()
    ]
    return starts[-1] if starts and starts[-1] > 0 else None


_RATE_ON = re.compile(
    r"(?P<rate>\d{1,2}(?:[.,]\d{1,2})?)\s?%\s+(?:on|of|from|auf|aus|von|sur|su|op|z|zo)\s+(?P<rest>.+)$",
    NOCASE,
)
_SUMMARY_RATE = re.compile(r"(?<![\d.,])(\d{1,2}(?:[.,]\d{1,2})?)\s?%")


def _vat_summary(grid: Grid) -> tuple[VatRow, ...]:
    """VAT as web shops and many foreign programs print it: lines of one label and one
    amount under the items — the net ("Total HT", "Subtotaal", "Nettobetrag"), the net per
    rate ("Wartość netto 23 %"), the tax per rate ("TVA 20 %", "zzgl. 19 % MwSt."). A rate's
    base is its own net line, or the net when there is one rate; every row must be its
    base times its rate, and the bases must make the net. Anything else: no rows."""
    net: set[Decimal] = set()
    bases: dict[str, set[Decimal]] = {}
    taxes: dict[str, set[Decimal]] = {}
    for row in grid.rows:
        on = _RATE_ON.search(" ".join(c.text for c in row))  # "Tax (21% on €881.41) €185.10"
        if on and len(pair := amounts_in(on["rest"])) == 2:
            key = f"{Decimal(on['rate'].replace(',', '.')).normalize():f}"
            bases.setdefault(key, set()).add(pair[0])
            taxes.setdefault(key, set()).add(pair[1])
            continue
        for label, amount in _summary_pairs(row):
            found = amounts_in(amount)
            if len(found) != 1 or amounts_in(_SUMMARY_RATE.sub("", label)):
                continue
            rates = _SUMMARY_RATE.findall(label)
            is_net, is_tax = bool(labels.NET.search(label)), bool(labels.TAX_WORD.search(label))
            if not rates:
                if is_net and not labels.TOTALS[0].search(label):
                    net.add(found[0])
                continue
            if len(rates) != 1:
                continue
            key = f"{Decimal(rates[0].replace(',', '.')).normalize():f}"
            if is_net:
                bases.setdefault(key, set()).add(found[0])
            elif is_tax:
                taxes.setdefault(key, set()).add(found[0])
    if not taxes or len(net) > 1 or any(len(v) > 1 for v in (*bases.values(), *taxes.values())):
        return ()
    if len(taxes) > 1 and net and not bases:
        bases = {k: {v} for k, v in _item_bases(grid).items()}
    out = []
    for key, (vat,) in taxes.items():
        if key in bases:
            (base,) = bases[key]
        elif len(taxes) == 1 and net:
            (base,) = net
        else:
            return ()
        if not _taxed(base, vat, Decimal(key)):
            return ()
        out.append(VatRow(key, base, vat))
    if net and sum((r.base for r in out), Decimal(0)) != next(iter(net)):
        return ()
    return tuple(sorted(out, key=lambda r: -Decimal(r.rate)))


def _summary_pairs(row: tuple[Cell, ...]) -> Iterator[tuple[str, str]]:
    """(label, amount) of a summary line, each label with the amount that ends it: "DPH |
    23 % | 551,60", "DPH 23 %: 551,60 €" in one cell, and two side by side ("Netto 19 %:
    1.316,60 € | Zwischensumme: | 1.316,60 €", the recap beside the totals)."""
    words: list[str] = []
    for cell in row:
        words.append(cell.text)
        if not amounts_in(cell.text):
            continue
        text = " ".join(words)
        words = []
        if (last := _last_amount(text)) is not None:
            yield text[:last], text[last:]


_RATE_CELL = re.compile(r"^\s*(\d{1,2}(?:[.,]\d{1,2})?)\s?%\s*$")


def _item_bases(grid: Grid) -> dict[str, Decimal]:
    """The item lines' amounts (the last one of a line) summed by the rate in their rate
    column: the bases of a summary that prints only the total net. The caller proves them."""
    sums: dict[str, Decimal] = {}
    for row in grid.rows:
        rates = [m for c in row[1:] if (m := _RATE_CELL.match(c.text))]
        found = amounts_in(row[-1].text) if len(rates) == 1 else []
        if found:
            key = f"{Decimal(rates[0].group(1).replace(',', '.')).normalize():f}"
            sums[key] = sums.get(key, Decimal(0)) + found[-1]
    return sums


def _taxed(base: Decimal, vat: Decimal, rate: Decimal, exact: bool = False) -> bool:
    slack = Decimal(0) if exact else abs(base) * Decimal("0.0001")
    return abs(base * rate / 100 - vat) <= Decimal("0.011") + slack


def _iban(grid: Grid, receipt_id: str | None) -> tuple[str | None, bool]:
    """The first valid IBAN. One failing its check is kept as printed (and flagged) only
    when it stands right after an IBAN label; elsewhere it may be any other number. An eKasa
    UID broken after "O-" starts its line with letters and digits, like an IBAN: it is none."""
    found = find_ibans("\n".join(grid.lines))
    candidates = [c for c in found if not (receipt_id and c in receipt_id)]
    valid = [c for c in candidates if is_valid_iban(c)]
    valid = valid or [c for c in _wrapped_ibans(grid) if is_valid_iban(c)]
    if valid:
        return valid[0], False
    labelled = _first(grid.value_for(_IBAN_LABEL, lambda t: next(iter(find_ibans(t)), None)))
    return labelled, bool(candidates)


_IBAN_START = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4})+\s*$")


# a line of groups, its label beside it where the column centred it: "IBAN: 0000 1720"
_IBAN_GROUPS = re.compile(r"(?:IBAN:?\s*)?([A-Z0-9]{1,4}(?: [A-Z0-9]{1,4})*)")


def _wrapped_ibans(grid: Grid) -> Iterator[str]:
    """IBANs in groups that a narrow column broke over lines ("CZ61 2010 0000 0031 | 0616
    5389"): a cell ending in groups, with the next lines of groups in its column."""
    for cell in grid.cells():
        if not _IBAN_START.search(cell.text):
            continue
        text, under = cell.text, grid.line_under(cell)
        for _ in range(3):  # 34 characters at most: four lines of a narrow column
            if under is None or not (groups := _IBAN_GROUPS.fullmatch(under.text.upper())):
                break
            text = f"{text} {groups[1]}"
            yield from find_ibans(text)
            under = grid.line_under(under)


_CLOCK = re.compile(r"(?<![\d:])\d{1,2}:\d{2}(?::\d{2})?(?![\d:])")


def _receipt_dates(
    grid: Grid, f: ExtractedFields, a_date: Callable[[str], date | None]
) -> ExtractedFields:
    """A receipt is issued at the sale: unlabelled, its date is the one printed with the time
    of day ("29.5.2026 9:05"), and the supply is on that day (eKasa: "dátum vyhotovenia a
    dodania")."""

    def stamped(cell: Cell) -> bool:  # the time in the cell, or alone beside or under it
        if _CLOCK.search(cell.text):
            return True
        if len(grid.rows[cell.row]) > LABEL_ROW_CELLS:
            return False  # no receipt line: a hostile page's rows of thousands of cells
        near = (grid.right_of(cell), next(grid.below(cell, 1), None))
        return any(n is not None and _CLOCK.fullmatch(n.text.strip()) for n in near)

    issued = f.issue_date
    if issued is None:
        dates = (a_date(_CLOCK.sub(" ", c.text)) for c in grid.cells() if stamped(c))
        issued = next((d for d in dates if d is not None), None)
    return replace(f, issue_date=issued, delivery_date=f.delivery_date or issued)


def _receipt_id(grid: Grid) -> str | None:
    m = _RECEIPT_ID.search("\n".join(grid.lines))
    if not m:
        return None
    return (m.group(1) or m.group(0)).replace("\n", "").upper()


def _negate(f: ExtractedFields) -> ExtractedFields:
    """Credit notes reduce: total, bases and VAT are negative whatever the print shows."""
    return replace(
        f,
        total=-abs(f.total) if f.total is not None else None,
        vat=tuple(VatRow(r.rate, -abs(r.base), -abs(r.vat)) for r in f.vat),
    )


TOTALS_TOLERANCE = Decimal("0.05")  # rounding lines ("Zaokrúhlenie") move totals by cents


def adds_up(f: ExtractedFields) -> bool | None:
    """Do the VAT rows (with rounding, less any advances paid) make the total? None when
    there is nothing to add."""
    if f.total is None or not f.vat:
        return None
    gross = sum((r.base + r.vat for r in f.vat), Decimal(0)) + (f.rounding or 0)
    # The amount to pay deducts advances already paid (the final invoice of an advance chain);
    # some programs print VAT rows of the whole supply, others only of the difference.
    candidates = (gross, gross - (f.advances or 0))
    return any(abs(c - f.total) <= TOTALS_TOLERANCE for c in candidates)


MAX_REPAIRED_ROWS = 5  # at most 4^5 readings tried: a page of rate-like rows cannot stall it


def with_decimal_points(f: ExtractedFields) -> ExtractedFields | None:
    """OCR loses decimal points ("5.15" read as "515"). Where putting them back into whole
    amounts makes every VAT row's tax its base times its rate and the rows add up to the
    total, the arithmetic proves the reading: the one such reading, else None."""
    if f.total is None or not f.vat or len(f.vat) > MAX_REPAIRED_ROWS or adds_up(f) is not False:
        return None

    def options(v: Decimal) -> list[Decimal]:
        return [v, v / 100] if v == v.to_integral_value() and abs(v) >= 100 else [v]

    rows = [
        [
            VatRow(r.rate, b, v)
            for b in options(r.base)
            for v in options(r.vat)
            if _taxed(b, v, Decimal(r.rate))
        ]
        for r in f.vat
    ]
    found = [
        replace(f, vat=tuple(choice), total=total)
        for choice in itertools.product(*rows)
        for total in options(f.total)
    ]
    found = [g for g in found if adds_up(g)]
    return found[0] if len(found) == 1 else None


_IDENTIFIER_FLAGS = (Flag.INVALID_ICO, Flag.INVALID_IC_DPH, Flag.INVALID_IBAN)


_ZERO_FOR_O = re.compile(r"0(?=[A-Z]{1,3}[\d/-])")  # OCR's zero for a letter O


def _look_alike_put_right(vat_id: str) -> str | None:
    """The one character past the country prefix whose look-alike makes `vat_id` pass its
    check ("SK2O40085003" for SK2040085003, "IE53453750" for IE5345375O, "IE98068155" for
    IE9806815S); None if none or several do."""
    found = {
        fixed
        for i, ch in enumerate(vat_id[2:], 2)
        if ch in LOOK_ALIKE
        and is_valid_vat_id(fixed := vat_id[:i] + LOOK_ALIKE[ch] + vat_id[i + 1 :])
    }
    return found.pop() if len(found) == 1 else None


def strict_for_ocr(
    f: ExtractedFields, unsure: frozenset[str] = frozenset(), page: tuple[str, ...] = ()
) -> tuple[ExtractedFields, list[str]]:
    """What OCR read, less what it may have misread: an identifier failing its check digits
    (printed wrong is rare, read wrong is not), VAT rows that do not make the total (unless
    restored decimal points prove them) or that no total can prove, a number whose digits
    the variable symbol goes on past (OCR dropped its end), a party's name holding a word
    the engine was unsure of (`unsure`) or what it reads for an "&". Each left out is named
    in `missing` and said in the notes returned; a zero read for the letter O at a number's
    start is put right, and so is one look-alike of a VAT id (O and 0, I and 1, S and 5, B
    and 8) that its check digits prove, one digit of a Slovak DIČ or IČ DPH where the other
    one, passing the check, shows it, and the case of an "s.r.o." by its r ("S.r.o.").
    A name the `page` (its cells' texts) prints again in a reading a letter or two apart
    ("Vodárnea kanalizácie" under the logo's "Vodárne a kanalizácie") is one of two readings
    that disagree, and is left out too."""
    notes: list[str] = []
    missing = list(f.missing)
    parties = {}
    for role in ("supplier", "customer"):
        p: Party = getattr(f, role)
        if p.name and (cased := _ocr_name_fixed(p.name, p.ic_dph)) != p.name:
            notes.append(f"{role} name read as {p.name!r}, {cased!r}: its legal form as written")
            p = replace(p, name=cased)
        if p.name and (
            why := _misread_name(p.name, unsure) or _read_otherwise(p.name, p.ic_dph, page)
        ):
            notes.append(f"{role} name read as {p.name!r}: {why}, so it is left out")
            p, missing = replace(p, name=None), [*missing, f"{role}.name"]
        p, reconciled = _dic_and_vat_id_reconciled(p)
        if reconciled:
            notes.append(f"{role} {reconciled}")
        if p.ic_dph and not is_valid_vat_id(p.ic_dph) and (put := _look_alike_put_right(p.ic_dph)):
            notes.append(f"{role} ic_dph read as {p.ic_dph}, {put} by its check digits")
            p = replace(p, ic_dph=put)
        bad = [
            key
            for key, valid in (("ico", is_valid_ico), ("ic_dph", is_valid_vat_id))
            if getattr(p, key) and not valid(getattr(p, key))
        ]
        parties[role] = replace(p, **dict.fromkeys(bad))
        missing += [f"{role}.{key}" for key in bad]
        notes += [f"{role} {key} {getattr(p, key)} fails its check digits" for key in bad]
    iban = f.iban
    if iban is not None and not is_valid_iban(iban):
        iban, missing = None, [*missing, "iban"]
        notes.append(f"IBAN {f.iban} fails its check digits")
    number = f.number
    if number is not None and _ZERO_FOR_O.match(number):
        number = "O" + number[1:]  # "0F2504122": no number puts a zero before its letters
    digits = re.sub(r"\D", "", number or "")
    vs = f.variable_symbol or ""
    if number is not None and digits and vs.startswith(digits) and len(vs) > len(digits):
        number, missing = None, [*missing, "number"]
        notes.append(f"number {f.number} looks cut short: the variable symbol is {vs}")
    vat = f.vat
    if vat and f.total is None:
        vat, missing = (), [*missing, "vat"]
        notes.append("no total was read to prove the VAT rows, so they are left out")
    elif adds_up(f) is False:
        repaired = with_decimal_points(f)
        if repaired is not None:
            f, vat = repaired, repaired.vat
        else:
            vat, missing = (), [*missing, "vat"]
            notes.append("the VAT rows read do not add up to the total, so they are left out")
    g = replace(
        f,
        number=number,
        supplier=parties["supplier"],
        customer=parties["customer"],
        iban=iban,
        vat=vat,
    )
    flags = [fl for fl in g.flags if fl not in _IDENTIFIER_FLAGS] + list(identifier_flags(g))
    return replace(g, flags=tuple(flags), missing=tuple(dict.fromkeys(missing))), notes


# "s.r.o." and "spol. s r.o.", whose s and o OCR reads in either case (their capitals are
# their small letters, larger): the r, which it does not mistake, tells which case is printed
_SRO_CASE = re.compile(r"\b(?P<s>[sS])(?:\.\s?|\s)(?P<r>[rR])\.\s?(?P<o>[oO])\.")


# OCR's zero for the o of "s.r.o." and "Sp. z o.o." ("Sp. z 0.0.", "s.r.0.")
_LEGAL_ZERO = re.compile(r"(?:(?<=\bSp\. z )|(?<=\bsp\. z )|(?<=\bz o\.)|(?<=\b[sS]\.[rR]\.))0\.")


def _in_alphabet(name: str, vat_id: str | None) -> str:
    """A Polish party's name in Polish letters: Tesseract's Slovak and Czech models read its
    ń as the ň no Polish name has."""
    return name.translate(_POLISH) if vat_id and vat_id.startswith("PL") else name


_POLISH = str.maketrans("ňŇ", "ńŃ")


def _legal_form_as_written(name: str) -> str:
    """`name` with an o its legal form has read as a zero put right, each in turn, a
    Luxembourg "S.à r.l." whose à the models do not know ("S.a r.l.", "S. r.l.", "S.a rl.")
    and a capital I read as an l, and the space OCR lost in "spol.s r.o."."""
    name = _SPOL_S.sub(lambda m: f"{m[1]} {m[0][-1]}", _CAPITAL_I.sub("I", name))
    return _SARL.sub("S.à r.l.", _LEGAL_ZERO.sub("o.", _LEGAL_ZERO.sub("o.", name)))


_SPOL_S = re.compile(r"\b(spol\.)s(?= r\.\s?o\.)", NOCASE)


# A capital I read as an l at a word's start, where no word starts so ("lberia", "lng.")
_CAPITAL_I = re.compile(r"(?<!\w)l(?=[bcdfghjkmnpqrstvwxz]\w)")


_SARL = re.compile(r"\bS\.\s?[aà]?\s+r\.?\s?l\.(?!\w)")


def _sro_cased(m: re.Match[str]) -> str:
    fold = str.lower if m["r"].islower() else str.upper
    text, at = m[0], m.start()
    o = m.start("o") - at
    return f"{fold(m['s'])}{text[1:o]}{fold(m['o'])}{text[o + 1 :]}"


# Tesseract's readings of an "&" between two names ("Kučera & Dvořák"): a lone digit or sign
# before a capital ("Studio 6 s.r.o." is a name)
_AMPERSAND_READ = re.compile(r"(?<=[^\W\d_])\s+[68©€]\s+([^\W\d_])")


def _misread_name(name: str, unsure: frozenset[str]) -> str | None:
    """Why an OCR-read name may not be what is printed: no check digit guards a name."""
    if doubtful := [word for word in name.split() if word in unsure]:
        return f"the engine was unsure of {' '.join(doubtful)!r}"
    if any(m.group(1).isupper() for m in _AMPERSAND_READ.finditer(name)):
        return 'a lone character stands where "&" joins two names'
    if name.rstrip()[-1:] in ("-", "–", "—"):
        return "it ends in a dash, its last word not read"  # "ŠIMKO PEKÁREŇ—" for "… a.s."
    if MASK in name:
        return "part of it was unreadable"  # "Firma s. (▯,": its cell held an unsure word
    if any(_run_together(word) for word in name.split()):
        return "a word of it runs two words together"  # "acHlavnä" for "… Hlavná 12"
    if _STRAY_SIGN.search(name):
        return "a sign no name holds"  # "Katarína Kováč£ W": the title's spaced letters
    if _GERMAN_FORM.search(name) and _NOT_GERMAN.search(name):
        # the Slovak and Czech models read an umlaut as an acute: "Scháfer", "Krúger"
        return "a German company's name with a letter German does not write"
    return None


_GERMAN_FORM = re.compile(r"(?:\bGmbH|\be\.\s?K\.|\bKG\b|\bAG\b|\bOHG\b|\bUG\b|\be\.\s?V\.)")
_NOT_GERMAN = re.compile(r"[áúóÁÚÓ]")
_STRAY_SIGN = re.compile(r"[£$¥§¤€©®|\[\]{}<>]")


def _ocr_name_fixed(name: str, vat_id: str | None) -> str:
    """An OCR-read name with what its misreads are known to be put right: its letters in
    its country's alphabet, its legal form as written, the case of its "s.r.o."."""
    return _SRO_CASE.sub(_sro_cased, _legal_form_as_written(_in_alphabet(name, vat_id)))


def _read_otherwise(name: str, vat_id: str | None, page: tuple[str, ...]) -> str | None:
    """Where the page prints `name` again, its legal form aside, in another reading a few
    letters apart (each put right as the name was): one of the two is misread, and nothing
    says which."""
    own = _name_words(name)
    if len(own) < 4:
        return None
    for text in page:
        for part in _line_parts(text):
            other = _name_words(_ocr_name_fixed(part, vat_id))
            near = other != own and len(other) >= 4 and abs(len(other) - len(own)) <= 3
            if near and difflib.SequenceMatcher(None, own, other).ratio() >= 0.85:
                return f"the page also reads it {part.strip()!r}"
    return None


def _name_words(name: str) -> str:
    """A name as its readings compare: its words in one case, its legal form and its "&"
    left out, in any of OCR's readings of it ("8", "6", "©")."""
    words = re.sub(r"[^\w\s]+", " ", labels.LEGAL_FORM.sub(" ", name)).casefold().split()
    return " ".join(w for w in words if w not in _AMPERSAND_READINGS)


_AMPERSAND_READINGS = frozenset({"8", "6"})


def _run_together(word: str) -> bool:
    """Two small letters, then a capital, from a word's start: two words OCR ran together
    ("acHlavnä"); a brand's one small letter first ("eBay", "iPhone") is a name."""
    return (
        len(word) > 2
        and word[0].islower()
        and word[1].islower()
        and any(ch.isupper() for ch in word[2:])
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
    if f.vat_printed and not f.vat:
        out.append("vat")
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


def as_stored(f: ExtractedFields) -> dict[str, object]:
    """The contract's fields plus what explains a total (rounding, advances), so the checks
    can run again on a person's corrections exactly as they ran on the reading."""
    money = {k: v for k, v in (("rounding", f.rounding), ("advances", f.advances)) if v is not None}
    return {**as_contract(f), **{k: f"{v:.2f}" for k, v in money.items()}}
