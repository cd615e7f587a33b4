"""Parse single printed values: amounts, dates, identifiers. Each returns None when unsure.

Identifiers are checked with python-stdnum, not hand-written code: IČO with the Czech
legal-entity check digit (the same mod-11 algorithm Slovakia uses), IČ DPH / VAT ids with
`stdnum.eu.vat`, IBAN with `stdnum.iban`.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from stdnum import iban as std_iban
from stdnum.cz import dic as cz_dic
from stdnum.eu import vat as eu_vat

CURRENCY_SIGNS = {
    "€": "EUR",
    "EUR": "EUR",
    "KČ": "CZK",
    "CZK": "CZK",
    "USD": "USD",
    "$": "USD",
    "GBP": "GBP",
    "£": "GBP",
    "HUF": "HUF",
    "PLN": "PLN",
    "ZŁ": "PLN",
    "CHF": "CHF",
}
_CURRENCY = r"(?:€|EUR|Kč|KČ|CZK|USD|\$|GBP|£|HUF|PLN|zł|CHF)"
# 1 234,56 | 1.234,56 | 1,234.56 | 1234.56 | 1234,56 | -1 234,56 ; groups of three after the first
_NUMBER = r"[-−–]?\s?\d{1,3}(?:[ \u00a0\u202f.,']\d{3})*(?:[.,]\d{1,2})?|[-−–]?\d+(?:[.,]\d{1,2})?"
AMOUNT_RE = re.compile(
    rf"(?P<pre>{_CURRENCY})?\s*(?P<num>{_NUMBER})\s*(?P<post>{_CURRENCY})?(?![\d%])", re.IGNORECASE
)
_DATE_DMY = re.compile(r"(?<!\d)(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})(?!\d)")
_DATE_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_DATE_SLASH = re.compile(r"(?<!\d)(\d{1,2})/(\d{1,2})/(\d{4})(?!\d)")


def parse_amount(text: str) -> tuple[Decimal, str | None] | None:
    """The amount at the start of `text` with its currency, if it is money: it has decimals
    ("12,50") or a currency sign ("12 €"). "12 kusov" is not money."""
    m = AMOUNT_RE.match(text.strip())
    if not m:
        return None
    value = _number(m.group("num"))
    sign = m.group("pre") or m.group("post")
    if value is None or (sign is None and not re.search(r"[.,]\d{2}$", m.group("num").strip())):
        return None
    return value, CURRENCY_SIGNS.get(sign.upper()) if sign else None


def amounts_in(text: str) -> list[Decimal]:
    """Every amount in `text` that has decimals (a quantity like "3" is not money)."""
    out = []
    for m in AMOUNT_RE.finditer(text):
        num = m.group("num")
        if re.search(r"[.,]\d{2}$", num.strip()):
            value = _number(num)
            if value is not None:
                out.append(value)
    return out


def _number(raw: str) -> Decimal | None:
    s = raw.replace("−", "-").replace("–", "-")
    negative = s.strip().startswith("-")
    s = re.sub(r"[^\d.,]", "", s)
    if not s:
        return None
    last_sep = max(s.rfind(","), s.rfind("."))
    if last_sep >= 0 and len(s) - last_sep - 1 in (1, 2):
        whole, frac = s[:last_sep], s[last_sep + 1 :]
    else:
        whole, frac = s, ""
    whole = re.sub(r"[.,]", "", whole)
    try:
        value = Decimal(f"{whole or '0'}.{frac or '0'}")
    except InvalidOperation:
        return None
    return -value if negative else value


def parse_date(text: str) -> date | None:
    """The first date printed as 24.11.2026, 24. 11. 2026, 2026-11-24 (or 24/11/2026 when
    the day cannot be a month)."""
    candidates: list[tuple[int, date]] = []
    for m in _DATE_DMY.finditer(text):
        candidates.extend(_mk(m.start(), int(m.group(3)), int(m.group(2)), int(m.group(1))))
    for m in _DATE_ISO.finditer(text):
        candidates.extend(_mk(m.start(), int(m.group(1)), int(m.group(2)), int(m.group(3))))
    for m in _DATE_SLASH.finditer(text):
        day, month = int(m.group(1)), int(m.group(2))
        if day > 12:
            candidates.extend(_mk(m.start(), int(m.group(3)), month, day))
    return min(candidates)[1] if candidates else None


def _mk(pos: int, year: int, month: int, day: int) -> list[tuple[int, date]]:
    if not 1990 <= year <= 2100:
        return []
    try:
        return [(pos, date(year, month, day))]
    except ValueError:
        return []


def compact_id(text: str) -> str:
    return re.sub(r"[\s.\-/]", "", text).upper()


def is_valid_ico(ico: str) -> bool:
    """IČO: 8 digits, mod-11 check digit (SK and CZ share the algorithm)."""
    return bool(re.fullmatch(r"\d{8}", ico)) and cz_dic.calc_check_digit_legal(ico[:7]) == ico[7]


def is_valid_vat_id(vat_id: str) -> bool:
    """IČ DPH / EU VAT id with its country prefix (SK2020123456, CZ12345678, DE123456789)."""
    return bool(eu_vat.is_valid(vat_id))


def is_valid_iban(iban: str) -> bool:
    return bool(std_iban.is_valid(iban))


IBAN_RE = re.compile(r"\b([A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?)\b")


def find_ibans(text: str) -> list[str]:
    """IBAN candidates, compacted; callers check them. The shortest IBAN has 15 characters
    (Norway), so a VAT id like SK2020123456 is never taken for one."""
    found = (compact_id(m.group(1)) for m in IBAN_RE.finditer(text.upper()))
    return [c for c in found if 15 <= len(c) <= 34]
