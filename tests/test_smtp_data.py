"""DATA read in pieces (daemon.smtp.read_data) ends where RFC 5321 says and yields what a
line-by-line reader yields: compared with a plain reference on random streams, fed in random
TCP-sized bits, the bytes after the dot line left for the next command."""

from __future__ import annotations

import asyncio
import random

import pytest

from daemon import smtp


def reference(stream: bytes, size_limit: int, line_limit: int) -> tuple[bytes, str | None, bytes]:
    """Line by line, as aiosmtpd reads: lines end at CRLF; the first line that is "." alone
    ends the data; a leading dot is removed from each line."""
    lines, at = [], 0
    while True:
        end = stream.index(b"\r\n", at) + 2
        line, at = stream[at:end], end
        if line == b".\r\n":
            break
        lines.append(line)
    rest = stream[at:]
    if size_limit and sum(map(len, lines)) > size_limit:
        return b"", "552 Error: Too much mail data", rest
    if any(len(line) > line_limit for line in lines):
        return b"", "500 Line too long (see RFC5321 4.5.3.1.6)", rest
    return b"".join(line[1:] if line.startswith(b".") else line for line in lines), None, rest


async def read(
    stream: bytes, bits: list[int], size_limit: int, line_limit: int
) -> tuple[bytes, str | None, bytes]:
    reader = asyncio.StreamReader(limit=line_limit)

    async def feed() -> None:
        at = 0
        for n in bits:
            reader.feed_data(stream[at : at + n])
            at += n
            await asyncio.sleep(0)
        reader.feed_data(stream[at:])
        reader.feed_eof()

    feeding = asyncio.create_task(feed())
    content, refusal = await smtp.read_data(reader, size_limit, line_limit)
    await feeding
    assert reader._limit == line_limit  # type: ignore[attr-defined]  # put back
    return content, refusal, await reader.read()


def _stream(rnd: random.Random) -> bytes:
    body = b"".join(
        rnd.choice([b".", b"..", b"\r\n", b"\n", b"\r", b"a", b"abc ", b"\r\n.", b".\r\n"])
        for _ in range(rnd.randrange(0, 60))
    )
    return body + b"\r\n.\r\nQUIT\r\n" if rnd.random() < 0.5 else b".\r\n" + body


@pytest.mark.parametrize("piece", [8, 64, 1 << 20])
def test_pieces_read_as_lines_do(monkeypatch: pytest.MonkeyPatch, piece: int) -> None:
    monkeypatch.setattr(smtp, "_PIECE", piece)
    rnd = random.Random(piece)
    ends = set()
    for _ in range(400):
        stream = _stream(rnd)
        if b"\r\n.\r\n" not in b"\r\n" + stream:
            stream += b"\r\n.\r\n"
        size, line = rnd.choice([0, 0, 40, 200]), rnd.choice([1000, 1000, 12])
        bits = [rnd.randrange(1, 9) for _ in range(rnd.randrange(0, 12))]
        got = asyncio.run(read(stream, bits, size, line))
        assert got == reference(stream, size, line), stream
        ends.add(got[1])
    assert ends == {
        None,
        "552 Error: Too much mail data",
        "500 Line too long (see RFC5321 4.5.3.1.6)",
    }


def test_a_bare_lf_dot_does_not_end_data() -> None:
    stream = b"Subject: a\r\n\r\nhello\n.\nMAIL FROM:<x@y>\r\n.\r\nQUIT\r\n"
    content, refusal, rest = asyncio.run(read(stream, [5, 7], 0, 1000))
    assert refusal is None and rest == b"QUIT\r\n"
    assert content == b"Subject: a\r\n\r\nhello\n.\nMAIL FROM:<x@y>\r\n"


def test_dot_stuffing_is_undone_and_an_empty_message_is_empty() -> None:
    assert asyncio.run(read(b"..a\r\n...\r\nb\r\n.\r\n", [], 0, 1000))[:2] == (
        b".a\r\n..\r\nb\r\n",
        None,
    )
    assert asyncio.run(read(b".\r\nNOOP\r\n", [], 0, 1000)) == (b"", None, b"NOOP\r\n")


def test_a_large_message_is_read_whole_in_few_pieces() -> None:
    body = b"".join(b"%076d\r\n" % i for i in range(300_000))  # ~23 MB, no dot anywhere
    content, refusal, rest = asyncio.run(read(body + b".\r\n", [65536] * 20, 0, 16384))
    assert refusal is None and rest == b"" and content == body
    content, refusal, _ = asyncio.run(read(body + b".\r\n", [65536] * 20, 1_000_000, 16384))
    assert (content, refusal) == (b"", "552 Error: Too much mail data")
