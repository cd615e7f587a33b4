"""A person's corrections to a document's fields (CONTRACT "Corrections"), validated like
extracted values, and the typed fields rebuilt from the stored contract values so the routing
checks run again on what the person set.

`FIELD=VALUE` names a contract key, a party's key as `supplier.ico`, or `vat` as a JSON list.
Dates are YYYY-MM-DD, amounts decimals, identifiers checked by their check digits; an empty
value clears a field. A bad value raises `InvalidCorrection`; nothing is applied then.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from parsers.fields import ExtractedFields, Party, VatRow, finished
from parsers.values import compact_id, is_valid_iban, is_valid_ico, is_valid_vat_id
from parsers.vocab import FIELD_KEYS, PARTY_KEYS, DocType, Flag

# Every contract field, a party's keys as `supplier.ico`.
FIELDS = tuple(
    f"{k}.{p}" if k in ("supplier", "customer") else k
    for k in FIELD_KEYS
    for p in (PARTY_KEYS if k in ("supplier", "customer") else ("",))
)
# Flags the reading found that no check can recompute from the fields: they stay.
READING_FLAGS = frozenset(
    {
        Flag.UNREADABLE_PDF,
        Flag.NO_TEXT_LAYER,
        Flag.NO_DOCUMENT,
        Flag.STRUCTURED_MISMATCH,
        Flag.PAYMENT_QR_MISMATCH,
        Flag.PROCESSING_FAILED,
        Flag.MESSAGE_TOO_LARGE,
        Flag.UNKNOWN_RECIPIENT,
    }
)


class InvalidCorrection(ValueError):
    """A value a person set that extraction would not accept; `field` says which."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field


@dataclass(frozen=True, slots=True)
class Change:
    field: str
    old: Any
    new: Any


def parse_value(field: str, text: str) -> Any:
    """The contract value for `FIELD=text`, or `InvalidCorrection`."""
    if field not in FIELDS:
        raise InvalidCorrection(field, f"not a field that can be corrected ({', '.join(FIELDS)})")
    text = text.strip()
    if field == "vat":
        return _vat(text)
    if not text:
        return None
    key = field.rsplit(".", 1)[-1]
    if field == "doc_type":
        if text not in {d.value for d in DocType}:
            raise InvalidCorrection(field, f"expected one of {', '.join(d.value for d in DocType)}")
        return text
    if field.endswith("_date"):
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise InvalidCorrection(field, f"expected a date YYYY-MM-DD, got {text!r}") from None
    if field == "total":
        return f"{_decimal(field, text):.2f}"
    if field == "currency":
        if not re.fullmatch(r"[A-Z]{3}", text.upper()):
            raise InvalidCorrection(field, "expected an ISO 4217 code such as EUR")
        return text.upper()
    if field == "variable_symbol":
        if not re.fullmatch(r"\d{1,10}", text):
            raise InvalidCorrection(field, "expected up to 10 digits")
        return text
    if field == "iban":
        iban = compact_id(text)
        if not is_valid_iban(iban):
            raise InvalidCorrection(field, f"{text!r} fails the IBAN check")
        return iban
    if key == "ico":
        ico = text.replace(" ", "")
        if not is_valid_ico(ico):
            raise InvalidCorrection(field, f"{text!r} is not a valid IČO (8 digits, mod-11 check)")
        return ico
    if key == "ic_dph":
        vat_id = compact_id(text)
        if not is_valid_vat_id(vat_id):
            raise InvalidCorrection(field, f"{text!r} fails the VAT id check")
        return vat_id
    if key == "dic":
        dic = compact_id(text)
        if not re.fullmatch(r"(?:[A-Z]{2})?\d{8,10}", dic):
            raise InvalidCorrection(field, "expected 10 digits, or a country prefix and 8 to 10")
        return dic
    if len(text) > 300:
        raise InvalidCorrection(field, "longer than 300 characters")
    return text


def _decimal(field: str, text: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise InvalidCorrection(field, f"expected an amount such as 123.40, got {text!r}") from None
    if not value.is_finite():
        raise InvalidCorrection(field, f"expected an amount such as 123.40, got {text!r}")
    return value


def _vat(text: str) -> list[dict[str, str]]:
    try:
        rows = json.loads(text or "[]")
    except ValueError:
        raise InvalidCorrection(
            "vat", 'expected a JSON list like [{"rate":"23","base":"10.00","vat":"2.30"}]'
        ) from None
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise InvalidCorrection("vat", "expected a JSON list of {rate, base, vat}")
    out = []
    for row in rows:
        if set(row) != {"rate", "base", "vat"}:
            raise InvalidCorrection("vat", "each row has exactly rate, base and vat")
        rate = _decimal("vat", str(row["rate"]))
        out.append(
            {
                "rate": f"{rate.normalize():f}",
                "base": f"{_decimal('vat', str(row['base'])):.2f}",
                "vat": f"{_decimal('vat', str(row['vat'])):.2f}",
            }
        )
    return out


def corrected(
    fields: dict[str, Any], changes: dict[str, str]
) -> tuple[dict[str, Any], list[Change]]:
    """The stored contract fields with `changes` applied, and what changed; validated whole
    before anything is applied."""
    parsed = {name: parse_value(name, text) for name, text in changes.items()}
    out = {
        **fields,
        "supplier": dict(fields.get("supplier") or {}),
        "customer": dict(fields.get("customer") or {}),
    }
    done = []
    for name, value in parsed.items():
        side, _, key = name.partition(".")
        old = out[side].get(key) if key else out.get(name)
        if old == value:
            continue
        if key:
            out[side][key] = value
        else:
            out[name] = value
        done.append(Change(name, old, value))
    return out, done


def fields_from_contract(d: dict[str, Any], flags: tuple[str, ...] = ()) -> ExtractedFields:
    """Typed fields from stored contract values, with the reading's own flags kept and the
    identifier flags and missing fields worked out again."""

    def day(key: str) -> date | None:
        return date.fromisoformat(d[key]) if d.get(key) else None

    def party(key: str) -> Party:
        p = d.get(key) or {}
        return Party(*(p.get(k) for k in PARTY_KEYS))

    money = {
        k: Decimal(str(d[k])) if d.get(k) is not None else None
        for k in ("total", "rounding", "advances")
    }
    f = ExtractedFields(
        doc_type=DocType(d.get("doc_type") or "unknown"),
        number=d.get("number"),
        variable_symbol=d.get("variable_symbol"),
        issue_date=day("issue_date"),
        delivery_date=day("delivery_date"),
        due_date=day("due_date"),
        supplier=party("supplier"),
        customer=party("customer"),
        currency=d.get("currency"),
        total=money["total"],
        vat=tuple(
            VatRow(r["rate"], Decimal(r["base"]), Decimal(r["vat"])) for r in d.get("vat") or ()
        ),
        iban=d.get("iban"),
        receipt_id=d.get("receipt_id"),
        refers_to=d.get("refers_to"),
        rounding=money["rounding"],
        advances=money["advances"],
    )
    kept = tuple(Flag(x) for x in flags if x in {g.value for g in READING_FLAGS})
    return finished(replace(f, flags=kept))
