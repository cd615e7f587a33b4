"""Payment and receipt QR codes printed on documents.

- PAY by square (Slovak banks' payment QR): base32hex (RFC 4648) → 2-byte header, 2-byte
  little-endian size → raw LZMA1 (lc=3, lp=0, pb=2, dictionary 2^17) → CRC32 + tab-separated
  fields: invoice id, payment count, then per payment type, amount, currency, due date
  (YYYYMMDD), variable, constant and specific symbol, reference, note, account count, IBAN, BIC…
- QR Platba / SPAYD (Czech): "SPD*1.0*ACC:IBAN*AM:450.00*CC:CZK*X-VS:1234*DT:20250131*…".
- eKasa: the receipt's QR carries its unique id ("O-" + 32 hex digits).

Pages are rendered with pypdfium2 and codes found with zxing-cpp. Decoding never raises.
"""

from __future__ import annotations

import base64
import lzma
import re
import struct
import zlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

import pypdfium2 as pdfium
import zxingcpp

_LZMA1 = [{"id": lzma.FILTER_LZMA1, "lc": 3, "lp": 0, "pb": 2, "dict_size": 1 << 17}]
MAX_RENDER_PIXELS = 3000  # longest side of a rendered page
_EKASA = re.compile(r"^O-[0-9A-F]{32}$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Payment:
    amount: Decimal | None
    currency: str | None
    due_date: date | None
    variable_symbol: str | None
    iban: str | None
    scheme: str  # "pay_by_square" | "spayd"


def decode_pay_by_square(text: str) -> Payment | None:
    text = text.strip()
    if not re.fullmatch(r"[0-9A-V]{8,}", text):
        return None
    try:
        raw = base64.b32hexdecode(text + "=" * (-len(text) % 8))
        if len(raw) < 5 or raw[0] >> 4 != 0:  # bysquare type 0 is "pay"
            return None
        size = raw[2] | raw[3] << 8
        body = lzma.LZMADecompressor(format=lzma.FORMAT_RAW, filters=_LZMA1).decompress(
            raw[4:], max_length=size
        )
    except (ValueError, lzma.LZMAError, EOFError):
        return None
    if len(body) != size or size < 5 or struct.unpack("<I", body[:4])[0] != zlib.crc32(body[4:]):
        return None
    fields = body[4:].decode("utf-8", errors="replace").split("\t")
    if len(fields) < 13 or fields[1] == "0":
        return None
    # fields: [invoice id, payment count, type, amount, currency, due, VS, KS, SS, ref, note, accounts, IBAN, BIC, …]
    return Payment(
        _decimal(fields[3]),
        fields[4] or None,
        _yyyymmdd(fields[5]),
        fields[6] or None,
        fields[12].replace(" ", "").upper() or None,
        "pay_by_square",
    )


def decode_spayd(text: str) -> Payment | None:
    if not text.startswith("SPD*"):
        return None
    parts = dict(p.split(":", 1) for p in text.split("*")[2:] if ":" in p)
    iban = parts.get("ACC", "").split("+")[0].replace(" ", "").upper() or None
    return Payment(
        _decimal(parts.get("AM", "")),
        parts.get("CC"),
        _yyyymmdd(parts.get("DT", "")),
        parts.get("X-VS"),
        iban,
        "spayd",
    )


def ekasa_receipt_id(text: str) -> str | None:
    text = text.strip()
    return text.upper() if _EKASA.match(text) else None


def read_codes(pdf: bytes, max_pages: int = 2, scale: float = 2.5) -> list[str]:
    """The text of every QR code on the first pages."""
    texts: list[str] = []
    try:
        doc = pdfium.PdfDocument(pdf)
    except Exception:
        return texts
    try:
        for i in range(min(len(doc), max_pages)):
            page = doc[i]
            width, height = page.get_size()  # points; a huge page must not become a huge bitmap
            fit = min(scale, MAX_RENDER_PIXELS / max(width, height, 1.0))
            image = page.render(scale=fit, grayscale=True).to_pil()
            texts.extend(code.text for code in zxingcpp.read_barcodes(image) if code.text)
    except Exception:  # a page that does not render yields no codes
        return texts
    finally:
        doc.close()
    return texts


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text).quantize(Decimal("0.01")) if text else None
    except InvalidOperation:
        return None


def _yyyymmdd(text: str) -> date | None:
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8])) if len(text) == 8 else None
    except ValueError:
        return None
