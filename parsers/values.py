"""Parse single printed values: amounts, dates, identifiers. Each returns None when unsure.

Identifiers are checked with python-stdnum, not hand-written code: IČO with the Czech
legal-entity check digit (the same mod-11 algorithm Slovakia uses), IČ DPH / VAT ids with
`stdnum.eu.vat`, IBAN with `stdnum.iban`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
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
    "FT": "HUF",
    "INR": "INR",
    "₹": "INR",
    "RS.": "INR",
}
_CURRENCY = r"(?:€|EUR|Kč|KČ|CZK|USD|\$|GBP|£|HUF|Ft|PLN|zł|CHF|INR|₹|Rs\.)"
CURRENCY_PATTERN = _CURRENCY  # a currency as printed beside an amount, for other patterns
# 1 234,56 | 1.234,56 | 1,234.56 | 1234.56 | 1234,56 | -1 234,56 ; groups of three after the first
# and "1 210,-" (whole crowns or euros, as Czech and Slovak prints write them), "1’234.50"
_NUMBER = (
    r"[-−–]?\s?\d{1,3}(?:[ \u00a0\u202f.,'’]\d{3})*(?:[.,](?:\d{1,2}|-{1,2}(?!\d)))?"
    r"|[-−–]?\d+(?:[.,](?:\d{1,2}|-{1,2}(?!\d)))?"
)
# the minus before a currency written first ("-€602.83", "-EUR 602.83") is the number's
AMOUNT_RE = re.compile(
    rf"(?:(?P<minus>[-−–])(?=\s?{_CURRENCY}\s?\d))?(?P<pre>{_CURRENCY})?\s*(?P<num>{_NUMBER})"
    rf"\s*(?P<post>{_CURRENCY})?(?![\d%])",
    re.IGNORECASE,
)
# a two-digit year is one when no letter follows it ("27. 05. 20aru" is text drawn over text)
_DATE_DMY = re.compile(r"(?<!\d)(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4}|\d{2}(?![^\W\d_]))(?!\d|[.,]\d)")
_DATE_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_DATE_SLASH = re.compile(r"(?<![\d/.-])(\d{1,2})([/-])(\d{1,2})\2(\d{4})(?![\d/-])")
# Month names (and their usual abbreviations) in the documents' languages, by month number.
_MONTHS: dict[str, int] = {}
for _number_, _names in enumerate(
    (
        "január januára janu[aá]r leden ledna jan january januar jänner janvier janv januari gennaio gen styczeń stycznia enero ene sty",
        "február februára feb[rb]u[aá]r feb únor února february februar février févr fevr februari febbraio luty lutego febrero lut febr",
        "marec marca březen března mar march märz mär mrt mars maart marzo marca marzec március márc",
        "apríl apríla duben dubna apr april avril avr aprile kwiecień kwietnia abril abr április kwi ápr",
        "máj mája květen května may mai mei maggio maj maja mayo május mag",
        "jún júna červen června jun june juni juin giugno czerwiec czerwca junio június giu cze",
        "júl júla červenec července jul july juli juillet juil luglio lipiec lipca julio július lug lip",
        "august augusta srpen srpna aug augustus août agosto ago sierpień sierpnia augusztus sie",
        "september septembra září sep sept septembre settembre set wrzesień września septiembre szeptember wrz szept",
        "október októbra říjen října oct okt october oktober octobre ottobre ott październik października octubre paź",
        "november novembra listopad listopadu listopada nov novembre noviembre lis",
        "december decembra prosinec prosince dec dezember décembre déc dicembre dic grudzień grudnia diciembre dez gru",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS.setdefault(_name.replace("[aá]", "a").replace("[rb]", "r"), _number_)
_MONTH_WORD = r"([^\W\d_]{3,12})\.?"
# "24. novembra 2026", "24th November 2026", "24-Nov-2026"
_DATE_DAY_MONTH = re.compile(
    rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th)?(?:\.?\s+|-|\s+de\s+){_MONTH_WORD}(?:,?\s+|-|\s+de\s+)(\d{{4}})(?!\d)"
)
# Roman months, as older Czech, Slovak and Polish prints write them: 24.XI.2026, 24. XI. 2026
_DATE_ROMAN = re.compile(r"(?<!\d)(\d{1,2})\.\s?([IVX]{1,4})\.\s?(\d{4})(?!\d)")
_ROMAN = {
    r: n
    for n, r in enumerate(
        ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"], start=1
    )
}
_DATE_MONTH_DAY = re.compile(rf"\b{_MONTH_WORD}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)")
# Year first, as Hungarian programs print dates: 2026.04.16., 2026. 04. 16., 2026. április 16.
_DATE_YMD = re.compile(r"(?<![\d.])(\d{4})\.\s?(\d{1,2})\.\s?(\d{1,2})\.?(?![\d,])")
_DATE_YEAR_MONTH = re.compile(rf"(?<!\d)(\d{{4}})\.\s+{_MONTH_WORD}\s+(\d{{1,2}})\.?(?!\d)")


_MONEY_DECIMALS = re.compile(r"[.,](?:\d{2}|-{1,2})\s*$")  # "12,50", "1 210,-"


def parse_amount(text: str) -> tuple[Decimal, str | None] | None:
    """The amount at the start of `text` with its currency, if it is money: it has decimals
    ("12,50") or a currency sign ("12 €"). "12 kusov" is not money."""
    m = AMOUNT_RE.match(text.strip())
    if not m:
        return None
    value = _signed(m)
    sign = m.group("pre") or m.group("post")
    if value is None or (sign is None and not _MONEY_DECIMALS.search(m.group("num"))):
        return None
    return value, CURRENCY_SIGNS.get(sign.upper()) if sign else None


def amounts_in(text: str) -> list[Decimal]:
    """Every amount in `text` that has decimals (a quantity like "3" is not money)."""
    out = []
    for m in AMOUNT_RE.finditer(text):
        if _MONEY_DECIMALS.search(m.group("num")):
            value = _signed(m)
            if value is not None:
                out.append(value)
    return out


def _signed(m: re.Match[str]) -> Decimal | None:
    value = _number(m.group("num"))
    return -value if value is not None and m.group("minus") else value


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


def parse_date(text: str, slashes: str = "dmy") -> date | None:
    """The first date in `text`: 24.11.2026, 24. 11. 2026, 24.11.26, 2026-11-24, 24/11/2026,
    24-11-2026, 24. novembra 2026, 7. Mai 2014, March 20, 2023, Jan 1 2022, 2026.11.24.,
    2026. november 24.

    A slashed date whose parts could both be the month is read as `slashes` says: "dmy" (day
    first, as everywhere but the US), "mdy", or "unsure" (not read: see `slash_order`). One
    whose second part cannot be a month (03/20/2023) is month first whatever `slashes` says."""
    candidates: list[tuple[int, date]] = []
    for m in _DATE_DMY.finditer(text):
        candidates.extend(_mk(m.start(), _year(m.group(3)), int(m.group(2)), int(m.group(1))))
    for m in (*_DATE_ISO.finditer(text), *_DATE_YMD.finditer(text)):
        candidates.extend(_mk(m.start(), int(m.group(1)), int(m.group(2)), int(m.group(3))))
    for m in _DATE_YEAR_MONTH.finditer(text):
        if (month := _MONTHS.get(m.group(2).casefold())) is not None:
            candidates.extend(_mk(m.start(), int(m.group(1)), month, int(m.group(3))))
    for m in _DATE_SLASH.finditer(text):
        first, second, year = int(m.group(1)), int(m.group(3)), int(m.group(4))
        if second > 12 >= first:
            candidates.extend(_mk(m.start(), year, first, second))
        elif first > 12 or slashes == "dmy" or first == second:
            candidates.extend(_mk(m.start(), year, second, first))
        elif slashes == "mdy":
            candidates.extend(_mk(m.start(), year, first, second))
    for m in _DATE_ROMAN.finditer(text):
        if (month := _ROMAN.get(m.group(2))) is not None:
            candidates.extend(_mk(m.start(), int(m.group(3)), month, int(m.group(1))))
    for m in _DATE_DAY_MONTH.finditer(text):
        if (month := _MONTHS.get(m.group(2).casefold())) is not None:
            candidates.extend(_mk(m.start(), int(m.group(3)), month, int(m.group(1))))
    for m in _DATE_MONTH_DAY.finditer(text):
        if (month := _MONTHS.get(m.group(1).casefold())) is not None:
            candidates.extend(_mk(m.start(), int(m.group(3)), month, int(m.group(2))))
    return min(candidates)[1] if candidates else None


def slash_order(lines: Sequence[str]) -> str:
    """How a document writes slashed dates, from the ones that tell: "dmy" when a first part
    is over 12 (24/11/2026), "mdy" when a second part is (11/24/2026), "unsure" when none
    tells or they contradict each other. Dashed dates count alike (8-9-2022)."""
    orders = set()
    for line in lines:
        for m in _DATE_SLASH.finditer(line):
            first, second = int(m.group(1)), int(m.group(3))
            if first > 12 >= second:
                orders.add("dmy")
            elif second > 12 >= first:
                orders.add("mdy")
    return orders.pop() if len(orders) == 1 else "unsure"


def slashed_unpadded(lines: Sequence[str]) -> bool:
    """A slashed date of the lines whose order is not told writes a part with one digit
    ("7/9/2025"), as US software does; day-first Europe writes 07/09/2025."""
    return any(
        int(m.group(1)) <= 12
        and int(m.group(3)) <= 12
        and (len(m.group(1)) == 1 or len(m.group(3)) == 1)
        for line in lines
        for m in _DATE_SLASH.finditer(line)
    )


def date_readings(text: str) -> set[date]:
    """Every date `text` may print, a slashed one read both ways (to tell whether a known
    date is shown on a page, not to read one)."""
    return {d for order in ("dmy", "mdy") if (d := parse_date(text, order)) is not None}


def _year(text: str) -> int:
    return int(text) if len(text) == 4 else 2000 + int(text)


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


# python-stdnum looks each number up in its registry files (~0.1 ms an IBAN, as much as the
# rest of a field): a page's identifiers are checked from several places, so once each
@functools.lru_cache(maxsize=1024)
def is_valid_vat_id(vat_id: str) -> bool:
    """IČ DPH / EU VAT id with its country prefix (SK2020123456, CZ12345678, DE123456789)."""
    return bool(eu_vat.is_valid(vat_id))


# What OCR puts for each digit of a cell holding a word it was unsure of: no date, amount or
# identifier is read from such a cell
MASK = "▯"

# What OCR reads for a letter where a digit is printed and the other way round: each glyph
# has one look-alike, so an identifier failing its check has one candidate per character
LOOK_ALIKE = {"0": "O", "O": "0", "1": "I", "I": "1", "5": "S", "S": "5", "8": "B", "B": "8"}


@functools.lru_cache(maxsize=1024)
def is_valid_iban(iban: str) -> bool:
    return bool(std_iban.is_valid(iban))


IBAN_RE = re.compile(r"\b([A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?)\b")


_IBAN_LABELLED = re.compile(r"\bIBAN\s*:?\s*([A-Z]{2}\d{2}[A-Z0-9 ]{11,45})")


def find_ibans(text: str) -> list[str]:
    """IBAN candidates, compacted; callers check them. The shortest IBAN has 15 characters
    (Norway), so a VAT id like SK2020123456 is never taken for one. After an IBAN label the
    groups may be irregular ("FR76 10107 00245 00617052317 39": bank, branch, account): the
    longest prefix that passes the IBAN check is the candidate."""
    upper = text.upper()
    found = [compact_id(m.group(1)) for m in IBAN_RE.finditer(upper)]
    for m in _IBAN_LABELLED.finditer(upper):
        run = compact_id(m.group(1))[:34]
        valid = next((run[:n] for n in range(len(run), 14, -1) if is_valid_iban(run[:n])), None)
        if valid and valid not in found:
            found.insert(0, valid)
    return [c for c in found if 15 <= len(c) <= 34]
