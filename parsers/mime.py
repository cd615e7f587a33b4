"""Find every document a message carries, whatever its MIME structure.

`extract_attachments(raw)` walks the whole tree: multipart/* of any subtype, `message/rfc822`
parts (recursively, depth-limited) and ZIP archives (within limits on entries, size, ratio and
depth). A part counts by its bytes, not its label: a PDF is a PDF when it starts with `%PDF-`,
whether it came as `application/pdf`, `application/octet-stream`, `inline` or with no
disposition at all. XML e-invoices are kept for the structured parser. Every part that is not
kept is reported as a `SkippedPart` with its reason; malformed MIME never raises out of here
(RFC 2045-2049, 2183, 2231; filenames per RFC 2047/2231).

Filenames are for people only: they are sanitised for display and never used to build a path.
"""

from __future__ import annotations

import base64
import binascii
import email
import email.errors
import email.header
import email.policy
import email.utils
import hashlib
import io
import quopri
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from email.message import Message
from enum import StrEnum

from parsers.pictures import picture_size, sniff_image, too_small


class AttachmentKind(StrEnum):
    PDF = "pdf"
    XML = "xml"
    IMAGE = "image"  # a photo or a scan: JPEG, PNG, TIFF, WebP, HEIC, GIF (read by OCR)


@dataclass(frozen=True, slots=True)
class Attachment:
    """One document file found in a message."""

    kind: AttachmentKind
    data: bytes
    sha256: str
    filename: str | None  # sanitised, for display only
    content_type: str  # as declared by the sender
    location: str  # where in the message: "2", "2.1", "3/faktury.zip:a.pdf"


@dataclass(frozen=True, slots=True)
class SkippedPart:
    location: str
    filename: str | None
    content_type: str
    reason: str


@dataclass(frozen=True, slots=True)
class MimeLimits:
    max_parts: int = 500
    max_message_depth: int = 5  # nested message/rfc822
    max_zip_depth: int = 2  # a zip inside a zip inside the message
    max_zip_entries: int = 200
    max_zip_total_bytes: int = 100 * 1024 * 1024
    max_zip_ratio: int = 100  # uncompressed / compressed, per entry


@dataclass(frozen=True, slots=True)
class ParsedMessage:
    message_id: str | None  # RFC 5322 Message-ID without angle brackets
    subject: str | None
    sender: str | None  # the From address
    header_recipients: tuple[str, ...]  # Delivered-To, X-Original-To, To, Cc: in that order
    attachments: tuple[Attachment, ...]
    skipped: tuple[SkippedPart, ...]
    defects: tuple[str, ...]


# compat32 parses lazily; policy.default re-parses every header through headerregistry on every
# access, which cost ~7 ms per message (bench). We decode the few headers we read ourselves.
_POLICY = email.policy.compat32
_ROUTING_HEADERS = ("Delivered-To", "X-Original-To", "To", "Cc")
_ZIP_MAGIC = b"PK\x03\x04"
_ENCODED = ("base64", "quoted-printable")
_XML_ROOTS = re.compile(
    rb"<(?:\w+:)?(Invoice|CreditNote|CrossIndustryInvoice|RegisterReceiptRequest)\b"
)
_BODY_TYPES = ("text/plain", "text/html")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def extract_attachments(raw: bytes, limits: MimeLimits | None = None) -> ParsedMessage:
    """Parse `raw` (an RFC 5322 message) into its documents and the reasons for the rest."""
    walker = _Walker(limits or MimeLimits())
    try:
        msg = email.message_from_bytes(raw, policy=_POLICY)
    except Exception as exc:  # the stdlib parser is lenient; this is the last guard
        return ParsedMessage(None, None, None, (), (), (), (f"unparseable message: {exc!r}",))
    walker.walk(msg, "", depth=0)
    return ParsedMessage(
        message_id=_message_id(msg),
        subject=_header_text(msg, "Subject"),
        sender=next(iter(_addresses(msg, "From")), None),
        header_recipients=tuple(a for name in _ROUTING_HEADERS for a in _addresses(msg, name)),
        attachments=tuple(walker.attachments),
        skipped=tuple(walker.skipped),
        defects=tuple(walker.defects),
    )


class _Walker:
    def __init__(self, limits: MimeLimits) -> None:
        self.limits = limits
        self.attachments: list[Attachment] = []
        self.skipped: list[SkippedPart] = []
        self.defects: list[str] = []
        self.parts_seen = 0
        self._seen_sha: set[str] = set()

    def walk(self, part: Message, location: str, depth: int) -> None:
        self.parts_seen += 1
        ctype = _content_type(part)
        if self.parts_seen > self.limits.max_parts:
            if self.parts_seen == self.limits.max_parts + 1:
                self.skip(location, None, ctype, f"more than {self.limits.max_parts} parts")
            return
        self.defects.extend(f"{location or 'message'}: {type(d).__name__}" for d in part.defects)
        if ctype == "message/rfc822" or (part.is_multipart() and ctype.startswith("message/")):
            self._walk_message(part, location, depth)
        elif part.is_multipart():
            payload = part.get_payload()
            for i, sub in enumerate(payload if isinstance(payload, list) else [], start=1):
                if isinstance(sub, Message):
                    self.walk(sub, _join(location, str(i)), depth)
        else:
            self._leaf(part, location or "1", ctype)

    def _walk_message(self, part: Message, location: str, depth: int) -> None:
        if depth + 1 > self.limits.max_message_depth:
            self.skip(location, None, "message/rfc822", "forwarded messages nested too deep")
            return
        inner = part.get_payload()
        cte = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
        if (
            isinstance(inner, list)
            and inner
            and isinstance(inner[0], Message)
            and cte not in _ENCODED
        ):
            self.walk(inner[0], _join(location, "1"), depth + 1)
            return
        # Some clients base64-encode the forwarded message (RFC 2046 5.2.1 forbids it; it
        # happens): the stdlib then parses the encoded text as a message. Decode it ourselves.
        data = _encoded_message(inner, cte)
        if data and data.strip():
            self.walk(
                email.message_from_bytes(data, policy=_POLICY),
                _join(location, "1"),
                depth + 1,
            )
        else:
            self.skip(location, None, "message/rfc822", "empty forwarded message")

    def _leaf(self, part: Message, location: str, ctype: str) -> None:
        filename = _filename(part)
        try:
            data = part.get_payload(decode=True)
        except Exception as exc:  # a broken transfer encoding the stdlib refuses outright
            self.skip(location, filename, ctype, f"undecodable body: {type(exc).__name__}")
            return
        if not isinstance(data, bytes):
            self.skip(location, filename, ctype, "no body")
            return
        decode_defects = [type(d).__name__ for d in part.defects if "Base64" in type(d).__name__]
        cid = part.get("Content-ID") is not None
        self.consider(data, location, filename, ctype, 0, decode_defects, cid)

    def consider(
        self,
        data: bytes,
        location: str,
        filename: str | None,
        ctype: str,
        zip_depth: int,
        decode_defects: list[str] | None = None,
        cid: bool = False,
    ) -> None:
        kind = _sniff(data, filename, ctype)
        if kind is AttachmentKind.IMAGE and (why := _not_a_document_picture(data, cid)):
            self.skip(location, filename, ctype, why)
        elif isinstance(kind, AttachmentKind):
            self.keep(kind, data, location, filename, ctype)
        elif kind == "zip":
            self._unzip(data, location, filename, zip_depth)
        elif decode_defects:
            reason = "broken transfer encoding (" + ", ".join(decode_defects) + ")"
            self.skip(location, filename, ctype, reason)
        elif not data.strip():
            self.skip(location, filename, ctype, "empty part")
        elif ctype in _BODY_TYPES and filename is None:
            self.skip(location, filename, ctype, "message text")
        else:
            self.skip(location, filename, ctype, f"not a document ({ctype})")

    def keep(
        self, kind: AttachmentKind, data: bytes, location: str, filename: str | None, ctype: str
    ) -> None:
        digest = sha256_hex(data)
        if digest in self._seen_sha:  # the same file twice in one message is one document
            self.skip(location, filename, ctype, "same file again in this message")
            return
        self._seen_sha.add(digest)
        self.attachments.append(Attachment(kind, data, digest, filename, ctype, location))

    def skip(self, location: str, filename: str | None, ctype: str, reason: str) -> None:
        self.skipped.append(SkippedPart(location or "message", filename, ctype, reason))

    def _unzip(self, data: bytes, location: str, filename: str | None, zip_depth: int) -> None:
        lim = self.limits
        ztype = "application/zip"
        if zip_depth + 1 > lim.max_zip_depth:
            self.skip(location, filename, ztype, "archive nested too deep")
            return
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            entries = [i for i in archive.infolist() if not i.is_dir()]
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            self.skip(location, filename, ztype, f"corrupt archive: {exc}")
            return
        if len(entries) > lim.max_zip_entries:
            self.skip(
                location,
                filename,
                ztype,
                f"archive has {len(entries)} files (limit {lim.max_zip_entries})",
            )
            return
        declared = sum(i.file_size for i in entries)
        if declared > lim.max_zip_total_bytes:
            self.skip(
                location,
                filename,
                ztype,
                f"archive unpacks to {declared} bytes (limit {lim.max_zip_total_bytes})",
            )
            return
        for info in entries:
            where = f"{location or '1'}/{filename or 'archive.zip'}:{_clean_name(info.filename)}"
            name = _clean_name(info.filename)
            ratio = info.file_size / max(info.compress_size, 1)
            if info.flag_bits & 0x1:
                self.skip(where, name, "", "encrypted archive entry")
            elif ratio > lim.max_zip_ratio and info.file_size > 1024 * 1024:
                self.skip(where, name, "", f"compression ratio {ratio:.0f}:1 looks like a zip bomb")
            else:
                content = _read_entry(archive, info, lim.max_zip_total_bytes)
                if content is None:
                    self.skip(where, name, "", "unreadable archive entry")
                else:
                    self.consider(content, where, name, "", zip_depth + 1)


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes | None:
    """Read one entry, never more than its declared size (a lying header cannot inflate us)."""
    try:
        with archive.open(info) as fh:
            content = fh.read(min(info.file_size, cap) + 1)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
        return None
    return content if len(content) <= info.file_size else None


def _encoded_message(inner: object, cte: str) -> bytes | None:
    text = (
        inner[0].get_payload()
        if isinstance(inner, list) and inner and isinstance(inner[0], Message)
        else inner
    )
    if not isinstance(text, str):
        return None
    try:
        if cte == "base64":
            return base64.b64decode("".join(text.split()) + "==", validate=False)
        if cte == "quoted-printable":
            return quopri.decodestring(text.encode("ascii", "replace"))
    except (binascii.Error, ValueError):
        return None
    return text.encode("utf-8", "replace")


def _sniff(data: bytes, filename: str | None, ctype: str) -> AttachmentKind | str | None:
    if b"%PDF-" in data[:1024]:
        return AttachmentKind.PDF
    if data.startswith(_ZIP_MAGIC):
        return "zip"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<") and _XML_ROOTS.search(head):
        return AttachmentKind.XML
    name = (filename or "").lower()
    if head.startswith(b"<") and (name.endswith((".xml", ".isdoc")) or ctype.endswith("/xml")):
        return AttachmentKind.XML
    if sniff_image(data) is not None:
        return AttachmentKind.IMAGE
    return None


# A picture the message's HTML shows (Content-ID) is a logo or a signature unless it is as
# large as a phone photo; any other picture is a document unless it is icon-sized.
MIN_PHOTO_PIXELS_IN_TEXT = 1_000_000


def _not_a_document_picture(data: bytes, cid: bool) -> str | None:
    """Why a picture is no document (read from its header only), or None."""
    size = picture_size(data)
    if size is None:
        return None  # let the reader say what is wrong with it
    width, height = size
    if cid and width * height < MIN_PHOTO_PIXELS_IN_TEXT:
        return f"picture in the message text ({width}×{height} px): a logo or a signature"
    return too_small(width, height)


def _content_type(part: Message) -> str:
    try:
        return part.get_content_type()
    except Exception:
        return "application/octet-stream"


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename() or part.get_param("name", header="content-type")
        if isinstance(name, tuple):  # an undecoded RFC 2231 triple
            name = email.utils.collapse_rfc2231_value(name)
        return _clean_name(_decode_words(str(name))) if name else None
    except Exception:
        return None


def _decode_words(value: str) -> str:
    """RFC 2047 encoded words ("=?UTF-8?B?...?=") to text; anything undecodable stays as is."""
    if "=?" not in value:
        return value
    try:
        return str(email.header.make_header(email.header.decode_header(value)))
    except (ValueError, LookupError, UnicodeError, email.errors.HeaderParseError):
        return value


def _clean_name(name: str) -> str | None:
    """A filename safe to show: no directories, no control characters, bounded length."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    return name[:200] or None


def _message_id(msg: Message) -> str | None:
    value = _header_text(msg, "Message-ID")
    if not value:
        return None
    value = value.strip().strip("<>").strip()
    return value[:500] or None


def _header_text(msg: Message, name: str) -> str | None:
    try:
        value = msg.get(name)
        return " ".join(_decode_words(str(value)).split())[:1000] if value is not None else None
    except Exception:
        return None


def _addresses(msg: Message, name: str) -> list[str]:
    """Addresses in every `name` header; a header too broken to parse gives none."""
    try:
        pairs = email.utils.getaddresses([str(v) for v in msg.get_all(name) or []])
    except Exception:
        return []
    return [addr for _, addr in pairs if "@" in addr and " " not in addr]


def _join(location: str, index: str) -> str:
    return f"{location}.{index}" if location else index


__all__ = [
    "Attachment",
    "AttachmentKind",
    "MimeLimits",
    "ParsedMessage",
    "SkippedPart",
    "extract_attachments",
    "sha256_hex",
]
