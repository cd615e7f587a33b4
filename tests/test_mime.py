"""MIME: every document found whatever the structure; every skipped part has a reason;
malformed input never raises."""

from __future__ import annotations

import base64
import io
import zipfile
from email.message import EmailMessage

from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.mime import AttachmentKind, MimeLimits, extract_attachments, sha256_hex

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PDF2 = b"%PDF-1.7\n% another document\n%%EOF\n"


def _msg(*parts: tuple[bytes, str, str | None, str | None]) -> bytes:
    """parts: (data, content type, filename, disposition)."""
    msg = EmailMessage()
    msg["From"] = "Dodávateľ <faktury@dodavatel.example>"
    msg["To"] = "firma.dosle@doklady.example.sk"
    msg["Message-ID"] = "<abc@example>"
    msg["Subject"] = "=?utf-8?q?Fakt=C3=BAra?="
    msg.set_content("text")
    for data, ctype, name, disposition in parts:
        main, sub = ctype.split("/")
        msg.add_attachment(
            data, maintype=main, subtype=sub, filename=name, disposition=disposition or "attachment"
        )
    return msg.as_bytes()


def test_octet_stream_pdf_is_found_by_its_bytes() -> None:
    parsed = extract_attachments(_msg((PDF, "application/octet-stream", "scan.bin", None)))
    assert [(a.kind, a.filename, a.sha256) for a in parsed.attachments] == [
        (AttachmentKind.PDF, "scan.bin", sha256_hex(PDF))
    ]
    assert parsed.message_id == "abc@example"
    assert parsed.sender == "faktury@dodavatel.example"
    assert parsed.header_recipients == ("firma.dosle@doklady.example.sk",)
    assert [s.reason for s in parsed.skipped] == ["message text"]


def test_inline_pdf_and_pdf_without_disposition() -> None:
    raw = (
        b"From: a@b.example\r\nTo: c@d.example\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/related; boundary="B"\r\n\r\n'
        b"--B\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n"
        b"--B\r\nContent-Type: application/pdf\r\nContent-Disposition: inline\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(PDF) + b"\r\n"
        b"--B\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(PDF2)
        + b"\r\n--B--\r\n"
    )
    parsed = extract_attachments(raw)
    assert [a.data for a in parsed.attachments] == [PDF, PDF2]
    assert [a.location for a in parsed.attachments] == ["2", "3"]


def test_rfc2231_filename_with_diacritics() -> None:
    encoded = base64.encodebytes(PDF).decode()
    raw = (
        "From: a@b.example\r\nTo: c@d.example\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: application/pdf\r\n"
        "Content-Disposition: attachment; filename*=UTF-8''Fakt%C3%BAra%20%C4%8D.%202025%C5%BD.pdf\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n" + encoded + "\r\n"
        '--B\r\nContent-Type: application/pdf; name="=?UTF-8?B?xaVhcmNob3Bpcy5wZGY=?="\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(PDF2).decode()
        + "\r\n--B--\r\n"
    ).encode()
    names = [a.filename for a in extract_attachments(raw).attachments]
    assert names == ["Faktúra č. 2025Ž.pdf", "ťarchopis.pdf"]


def test_hostile_filenames_are_sanitised() -> None:
    parsed = extract_attachments(
        _msg(
            (PDF, "application/pdf", "../../etc/pass\x07wd.pdf", None),
            (PDF2, "application/pdf", "C:\\Windows\\evil.pdf", None),
        )
    )
    assert [a.filename for a in parsed.attachments] == ["passwd.pdf", "evil.pdf"]


def test_nested_rfc822_is_unpacked() -> None:
    inner = _msg((PDF, "application/pdf", "inner.pdf", None))
    outer = EmailMessage()
    outer["From"] = "office@example.sk"
    outer["To"] = "firma.dosle@doklady.example.sk"
    outer.set_content("forwarding")
    outer.add_attachment(inner, maintype="message", subtype="rfc822")  # type: ignore[call-arg]
    parsed = extract_attachments(outer.as_bytes())
    assert [(a.filename, a.data) for a in parsed.attachments] == [("inner.pdf", PDF)]
    assert parsed.attachments[0].location.startswith("2.1")


def test_rfc822_nesting_is_depth_limited() -> None:
    raw = _msg((PDF, "application/pdf", "deep.pdf", None))
    for _ in range(4):
        wrapper = EmailMessage()
        wrapper["From"] = "x@example.sk"
        wrapper.set_content("fwd")
        wrapper.add_attachment(raw, maintype="message", subtype="rfc822")  # type: ignore[call-arg]
        raw = wrapper.as_bytes()
    assert len(extract_attachments(raw, MimeLimits(max_message_depth=5)).attachments) == 1
    shallow = extract_attachments(raw, MimeLimits(max_message_depth=2))
    assert shallow.attachments == ()
    assert "forwarded messages nested too deep" in [s.reason for s in shallow.skipped]


def _zip(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_zip_within_limits_is_unpacked() -> None:
    archive = _zip({"faktury/a.pdf": PDF, "b.PDF": PDF2, "readme.txt": b"hello"})
    parsed = extract_attachments(_msg((archive, "application/zip", "doklady.zip", None)))
    assert [(a.filename, a.data) for a in parsed.attachments] == [("a.pdf", PDF), ("b.PDF", PDF2)]
    assert any(
        s.filename == "readme.txt" and s.reason.startswith("not a document") for s in parsed.skipped
    )


def test_zip_over_limits_is_skipped_with_reason() -> None:
    many = _zip({f"{i}.pdf": PDF + str(i).encode() for i in range(30)})
    parsed = extract_attachments(
        _msg((many, "application/zip", "many.zip", None)), MimeLimits(max_zip_entries=10)
    )
    assert parsed.attachments == ()
    assert any("archive has 30 files (limit 10)" in s.reason for s in parsed.skipped)
    bomb = _zip({"bomb.pdf": PDF + b"\0" * 50_000_000})
    parsed = extract_attachments(_msg((bomb, "application/zip", "bomb.zip", None)))
    assert parsed.attachments == ()
    assert any("zip bomb" in s.reason for s in parsed.skipped)
    total = extract_attachments(
        _msg((bomb, "application/zip", "bomb.zip", None)), MimeLimits(max_zip_total_bytes=1_000_000)
    )
    assert any("unpacks to" in s.reason for s in total.skipped)


def test_zip_inside_zip_is_depth_limited() -> None:
    inner = _zip({"x.pdf": PDF})
    outer = _zip({"inner.zip": inner}, zipfile.ZIP_STORED)
    assert (
        len(extract_attachments(_msg((outer, "application/zip", "o.zip", None))).attachments) == 1
    )
    limited = extract_attachments(
        _msg((outer, "application/zip", "o.zip", None)), MimeLimits(max_zip_depth=1)
    )
    assert limited.attachments == () and any("nested too deep" in s.reason for s in limited.skipped)


def test_broken_base64_part_is_reported_and_others_kept() -> None:
    raw = (
        b"From: a@b.example\r\nTo: c@d.example\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n'
        b"--B\r\nContent-Type: application/pdf; name=broken.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        b"JVBER!!!@@@%%%not*base64***\r\n"
        b"--B\r\nContent-Type: application/pdf; name=ok.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(PDF)
        + b"\r\n--B--\r\n"
    )
    parsed = extract_attachments(raw)
    assert [a.filename for a in parsed.attachments] == ["ok.pdf"]
    broken = [s for s in parsed.skipped if s.filename == "broken.pdf"]
    assert len(broken) == 1 and "broken transfer encoding" in broken[0].reason


def test_xml_einvoice_is_kept() -> None:
    ubl = b'<?xml version="1.0"?>\n<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>'
    parsed = extract_attachments(_msg((ubl, "application/octet-stream", "f.xml", None)))
    assert [a.kind for a in parsed.attachments] == [AttachmentKind.XML]


def test_same_file_twice_in_one_message_is_one_attachment() -> None:
    parsed = extract_attachments(
        _msg((PDF, "application/pdf", "a.pdf", None), (PDF, "application/pdf", "b.pdf", None))
    )
    assert len(parsed.attachments) == 1
    assert "same file again in this message" in [s.reason for s in parsed.skipped]


def test_garbage_never_raises() -> None:
    for raw in (
        b"",
        b"\x00\xff" * 100,
        b"Content-Type: multipart/mixed; boundary=\r\n\r\n--\r\n--",
        b"Content-Type: message/rfc822\r\n\r\n",
        b'To: <<<@@@>>>, "unterminated\r\n\r\nbody',
    ):
        parsed = extract_attachments(raw)
        assert parsed.attachments == ()


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    parsed = extract_attachments(b"Content-Type: multipart/mixed; boundary=X\r\n\r\n--X\r\n" + raw)
    assert isinstance(parsed.skipped, tuple)
