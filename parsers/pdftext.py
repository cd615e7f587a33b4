"""Read the text layer of a PDF, with positions, within a page limit.

Backend: pypdfium2. Measured on this machine for a 1-page invoice: ~1.4 ms with pypdfium2,
~7.5 ms with pypdf, ~76 ms with pdfplumber (bench/pdftext.py repeats the measurement), so
pdfium reads every page and nothing slower is on the common path.

PDFium hands out text "rects": runs of characters on one line. `PageText.lines` rebuilds the
page's visual lines from them (top to bottom, left to right), with two or more spaces wherever
a wide horizontal gap separates runs, so two-column blocks (supplier | customer) stay apart.

Bad input never raises out of `read_pdf`: an encrypted (user password), corrupt or truncated
file gives `unreadable_pdf`, a file with no text anywhere gives `no_text_layer`. PDFium is C
code: callers that face untrusted input run this in a child process with time and memory
limits (daemon/workers.py).
"""

from __future__ import annotations

import ctypes
import itertools
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from parsers.vocab import Flag

DEFAULT_MAX_PAGES = 50


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of text on one line; PDF user space, origin bottom-left."""

    left: float
    bottom: float
    right: float
    top: float
    text: str
    # whether the page's text has a space before this run (PDFium's own word breaks), where
    # known: producers that split words into several text objects ("RE-20 | 201121 | /50 |
    # 8") leave gaps no wider than between words, and abut words ("at|2020")
    space_before: bool | None = None


@dataclass(frozen=True, slots=True)
class PageText:
    segments: tuple[Segment, ...]
    code_like: bool = False  # a square image or a dense vector drawing: maybe a QR code
    cells: bool = False  # the segments are cells already (OCR lays its words out itself)

    @property
    def lines(self) -> tuple[str, ...]:
        """The page as lines of text, laid out on demand (extraction lays out once, in Grid)."""
        return layout_lines(list(self.segments), merge=not self.cells)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


MAX_EMBEDDED_FILES = 10
MAX_EMBEDDED_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class PdfText:
    pages: tuple[PageText, ...]
    page_count: int  # pages in the file, read or not
    flags: tuple[Flag, ...]
    problem: str | None  # why it could not be read, for people
    embedded: tuple[
        tuple[str, bytes], ...
    ] = ()  # attached files (ISDOC.PDF, Factur-X): name, bytes

    @property
    def text(self) -> str:
        return "\n\f\n".join(p.text for p in self.pages)

    @property
    def truncated(self) -> bool:
        return len(self.pages) < self.page_count

    @property
    def code_like(self) -> bool:
        """Any page carries something a QR code could be (rendering costs ~40 ms a page)."""
        return any(p.code_like for p in self.pages)


def read_pdf(data: bytes, max_pages: int = DEFAULT_MAX_PAGES) -> PdfText:
    """Text of the first `max_pages` pages of `data`; flags instead of exceptions."""
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        problem = (
            "encrypted (needs a password)"
            if exc.err_code == pdfium_c.FPDF_ERR_PASSWORD
            else str(exc)
        )
        return PdfText((), 0, (Flag.UNREADABLE_PDF,), problem)
    except Exception as exc:  # anything else the binding raises on garbage
        return PdfText((), 0, (Flag.UNREADABLE_PDF,), f"{type(exc).__name__}: {exc}")
    try:
        count = len(doc)
        pages = tuple(_read_page(doc, i) for i in range(min(count, max_pages)))
        embedded = _embedded(doc)
    except Exception as exc:
        return PdfText((), 0, (Flag.UNREADABLE_PDF,), f"{type(exc).__name__}: {exc}")
    finally:
        doc.close()
    if count == 0:
        return PdfText((), 0, (Flag.UNREADABLE_PDF,), "no pages", embedded)
    if not any(seg.text.strip() for page in pages for seg in page.segments):
        problem = "no text layer (scanned or printed as curves)"
        return PdfText(pages, count, (Flag.NO_TEXT_LAYER,), problem, embedded)
    if _garbled(pages):
        problem = "text layer unreadable (fonts without a character map): read as pictures"
        blank = tuple(PageText((), page.code_like) for page in pages)
        return PdfText(blank, count, (Flag.NO_TEXT_LAYER,), problem, embedded)
    return PdfText(pages, count, (), None, embedded)


# control characters, private use, the replacement character (lone UTF-16 halves are
# dropped as the text is read: `_characters`)
_NO_CHARACTER = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ue000-\uf8ff\ufffd]")


def _garbled(pages: tuple[PageText, ...]) -> bool:
    """A text layer of glyph numbers rather than characters: a font embedded without a
    character map (no ToUnicode, a custom encoding) gives control and private-use codes. The
    page shows the text; its text layer does not have it."""
    text = "".join(seg.text for page in pages for seg in page.segments)
    return len(text) >= 20 and len(_NO_CHARACTER.findall(text)) > 0.3 * len(text)


def _embedded(doc: pdfium.PdfDocument) -> tuple[tuple[str, bytes], ...]:
    """Files attached to the PDF (EmbeddedFiles), within limits; unreadable ones are skipped."""
    found = (_attachment(doc, i) for i in range(min(doc.count_attachments(), MAX_EMBEDDED_FILES)))
    return tuple(a for a in found if a is not None and len(a[1]) <= MAX_EMBEDDED_BYTES)


def _attachment(doc: pdfium.PdfDocument, index: int) -> tuple[str, bytes] | None:
    try:
        attachment = doc.get_attachment(index)
        return attachment.get_name() or f"attachment-{index}", bytes(attachment.get_data())
    except Exception:  # a broken attachment does not spoil the document
        return None


_MIN_CODE_SIDE = 28.0  # points (1 cm): a QR code smaller than that is not printed to be scanned
_DENSE_PATH = 150  # path objects or segments in one path: what a vector QR code draws


def _code_like(page: pdfium.PdfPage) -> bool:
    """A square image of scannable size, or a drawing dense enough to be a vector QR code;
    decided from the page's object list through PDFium's C API (~0.05 ms), without
    rendering it and without a Python object per page object."""
    raw = pdfium_c
    objects = [
        raw.FPDFPage_GetObject(page.raw, i) for i in range(raw.FPDFPage_CountObjects(page.raw))
    ]
    return _codes_among(objects, depth=0, paths=[0])


def _codes_among(objects: list[Any], depth: int, paths: list[int]) -> bool:
    raw = pdfium_c
    box = [ctypes.c_float() for _ in range(4)]
    for obj in objects:
        kind = raw.FPDFPageObj_GetType(obj)
        if kind == raw.FPDF_PAGEOBJ_IMAGE:
            raw.FPDFPageObj_GetBounds(obj, *box)
            width, height = box[2].value - box[0].value, box[3].value - box[1].value
            if min(width, height) >= _MIN_CODE_SIDE and 0.8 <= width / max(height, 1e-6) <= 1.25:
                return True
        elif kind == raw.FPDF_PAGEOBJ_PATH:
            paths[0] += 1
            if paths[0] >= _DENSE_PATH or raw.FPDFPath_CountSegments(obj) >= _DENSE_PATH:
                return True
        elif kind == raw.FPDF_PAGEOBJ_FORM and depth < 3:  # an XObject drawn on the page
            inner = [
                raw.FPDFFormObj_GetObject(obj, j) for j in range(raw.FPDFFormObj_CountObjects(obj))
            ]
            if _codes_among(inner, depth + 1, paths):
                return True
    return False


# PDFium's code for a hyphen that ends a line ("O-" of a receipt id broken after its dash):
# the dash that is printed there.
_LINE_END_HYPHEN = "\x02"


def _read_page(doc: pdfium.PdfDocument, index: int) -> PageText:
    page = doc[index]
    try:
        code_like = _code_like(page)
    except Exception:  # an object list PDFium cannot walk: let the renderer look
        code_like = True
    textpage = page.get_textpage()
    try:
        rects = [textpage.get_rect(i) for i in range(textpage.count_rects())]
        # PDFium gives every character whose box touches a rect: where glyphs overlap the
        # next glyph's rect (Chromium places each glyph alone, kerned), "s.r.o." would read
        # "s.r.r.o.", and where lines overlap, the line above takes the "Š" of the one under
        # it; such pages are read character by character instead (~3× slower). So
        # are pages of a rect per glyph: their tight ink boxes leave a monospace "." or "i"
        # as far from its neighbours as a word gap ("s . r . o ."), the advances do not.
        segments: list[Segment] = []
        if not any(_overlap(a, b) for a, b in itertools.pairwise(rects)):
            # the rects follow the page's text in order: where each one's text sits in it
            # tells whether PDFium reads a space before it
            page_text, at = textpage.get_text_range(), 0
            bounded_text = _BoundedText(textpage, len(page_text))
            for left, bottom, right, top in rects:
                bounded = bounded_text(left, bottom, right, top)
                text = " ".join(bounded.replace("\x00", "").replace(_LINE_END_HYPHEN, "-").split())
                if not (text := _characters(text)):
                    continue
                core = bounded.strip(_BLANKS)  # a space at a boundary touches both
                found = page_text.find(core, at)
                # a glyph at the boundary touches both rects ("Total due: €" | "€6,215.13" of
                # WeasyPrint), printed once: it stays with the first
                twice = (
                    _repeated(segments[-1].text, core, page_text, at)
                    if segments and not 0 <= found - at <= _SKIPPED_CHARS
                    else 0
                )
                if twice:
                    text, core = text[twice:].lstrip(), core[twice:]
                    found = page_text.find(core, at)
                space = None
                if 0 <= found - at <= _SKIPPED_CHARS:
                    space = found == 0 or page_text[found - 1] in _BLANKS
                if found >= 0:
                    at = found + len(core)
                segments.append(Segment(left, bottom, right, top, text, space))
        if not segments or sum(len(s.text) == 1 for s in segments) > 0.6 * len(segments):
            segments = _char_segments(textpage)
    finally:
        textpage.close()
        page.close()
    return PageText(tuple(segments), code_like)


class _BoundedText:
    """A textpage's text inside a rect, in one PDFium call into one buffer kept for the
    page (pypdfium2's helper calls twice, to size a new buffer first: each call walks every
    character of the page, the largest reading cost after loading it)."""

    def __init__(self, textpage: pdfium.PdfTextPage, page_chars: int) -> None:
        self.textpage = textpage
        self.size = page_chars + 64  # a rect's text is part of the page's
        self.buffer = (ctypes.c_ushort * self.size)()

    def __call__(self, left: float, bottom: float, right: float, top: float) -> str:
        n = pdfium_c.FPDFText_GetBoundedText(
            self.textpage.raw, left, top, right, bottom, self.buffer, self.size
        )
        if n >= self.size:  # more than the page's text: no guess, ask PDFium the size
            return str(self.textpage.get_text_bounded(left, bottom, right, top))
        if n > 0 and self.buffer[n - 1] == 0:
            n -= 1  # the count includes the terminating NUL
        return ctypes.string_at(self.buffer, 2 * max(n, 0)).decode("utf-16-le", "ignore")


_SKIPPED_CHARS = 8  # between two rects: the spaces and line breaks PDFium reads there


def _repeated(before: str, core: str, page_text: str, at: int) -> int:
    """How many of `core`'s first characters repeat the end of the text `before` it, where
    the page's text, from `at` (just after `before`), goes on with the rest of `core`."""
    for k in range(1, min(3, len(core) - 1) + 1):
        if before.endswith(core[:k]) and 0 <= page_text.find(core[k:], at) - at <= _SKIPPED_CHARS:
            return k
    return 0


_BLANKS = " \t\r\n\x00\ufffe"  # what PDFium reads between words and lines


_SURROGATE = re.compile("[\ud800-\udfff]")


def _characters(text: str) -> str:
    """`text` with the UTF-16 halves PDFium hands over one by one (an emoji: a phone icon in a
    footer) put back together, and a lone half dropped: it is no character, and no page,
    log or terminal can print it."""
    if _SURROGATE.search(text) is None:
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "ignore")


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    """Two rects (left, bottom, right, top) of one line, b starting well inside a; or b the
    next line under a, closer than its glyphs are tall (8 pt text on 8.5 pt leading), so an
    accent ("Š") reaches into a's rect or a descender ("g") into b's."""
    if a[0] < b[0] < a[2] - 0.05 and min(a[3], b[3]) > max(a[1], b[1]):
        return True
    return b[3] < a[3] and a[1] < b[3] - 0.05 and min(a[2], b[2]) > max(a[0], b[0])


def _char_segments(textpage: pdfium.PdfTextPage) -> list[Segment]:
    """Runs of characters on one line between word gaps. Across, each character spans its
    advance (PDFium's loose box: letters of a word touch, a space leaves a gap of about a
    quarter of the font size; tight glyph boxes would split at every narrow "1"). Up and
    down, it spans a band above its baseline smaller than any line pitch (font boxes,
    accents and descenders would make close lines overlap)."""
    raw = textpage.raw
    loose = pdfium_c.FS_RECTF()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    segments: list[Segment] = []
    run: list[str] = []
    left = bottom = right = top = 0.0

    def flush() -> None:
        if run:
            if text := _characters("".join(run)):
                segments.append(Segment(left, bottom, right, top, text))
            run.clear()

    for i in range(textpage.count_chars()):
        code = pdfium_c.FPDFText_GetUnicode(raw, i)
        ch = chr(code) if 0 < code < 0x110000 else ""
        ch = "-" if ch == _LINE_END_HYPHEN else ch
        if (
            not ch
            or ch.isspace()
            or not pdfium_c.FPDFText_GetLooseCharBox(raw, i, loose)
            or not pdfium_c.FPDFText_GetCharOrigin(raw, i, ox, oy)
        ):
            flush()
            continue
        low, high = sorted((loose.bottom, loose.top))
        size = max((high - low) / 1.15, 1.0)  # a font's box is about 1.15 of its size
        lo, hi = sorted((loose.left, loose.right))
        b, t = oy.value - 0.1 * size, oy.value + 0.6 * size
        same_line = run and min(t, top) - max(b, bottom) > 0
        if not same_line or lo - right > 0.15 * size or lo < right - 0.5 * size:
            flush()
        if not run:
            left, bottom, right, top = lo, b, hi, t
        else:
            right, bottom, top = max(right, hi), min(bottom, b), max(top, t)
        run.append(ch)
    flush()
    return segments


def layout_rows(
    segments: list[Segment], ocr: bool = False, merge: bool = True
) -> list[list[Segment]]:
    """Visual rows from text runs: rows by vertical overlap, runs in a row by x; runs closer
    than a wide gap are merged into one cell. OCR words (`ocr`) have no column edges to go
    by: a gap well wider than the cell's own word gaps parts them; and a table's vertical
    lines, which OCR reads as "|", part the words beside them and are dropped. Without
    `merge` the segments are cells already, only put in rows."""
    rows: list[list[Segment]] = []
    floors: list[float] = []  # each row's lowest reach: no run below it is level with it
    for seg in sorted(segments, key=lambda s: (-s.top, s.left)):
        # a comma or an underscore starts lower than its words, so rows of other columns can
        # come between them in this order: look back a few rows, not only at the last
        reach = seg.top + _LEVEL_SLACK * max(seg.top - seg.bottom, 0.1)
        at = next(
            (
                i
                for i in range(len(rows) - 1, max(len(rows) - 5, -1), -1)
                if _fits(rows[i], seg, floors[i] < reach)
            ),
            None,
        )
        if at is None:
            rows.append([seg])
            floors.append(_floor(seg))
        else:
            rows[at].append(seg)
            floors[at] = min(floors[at], _floor(seg))
    if not merge:
        return [sorted(row, key=lambda s: s.left) for row in rows]
    if not ocr:
        edges = _column_edges(segments)
        return [_merge_close(sorted(row, key=lambda s: s.left), edges) for row in rows]
    out = []
    for row in rows:
        cells: list[Segment] = []
        for ruled, part in itertools.groupby(sorted(row, key=lambda s: s.left), _is_rule):
            if not ruled:
                cells += _merge_close(list(part), None)
        if cells:
            out.append(cells)
    return out


_RULES = frozenset("|¦│")
_AMOUNT_WORD = re.compile(r"^[€$£]?-?\d[\d.,]*[.,]\d\d[€$£]?$")


def _is_rule(seg: Segment) -> bool:
    return bool(seg.text) and all(ch in _RULES for ch in seg.text)


_EDGE_ROWS = 3  # runs starting at one x in this many lines: a column's left edge
_COLUMN_GAP = 0.7  # of the glyphs' height: more than a word space, even in a monospace font
_WIDER = 1.5  # times the cell's narrowest word gap
_OCR_WIDER = 2.0  # the same for OCR words, whose boxes are less even


def _column_edges(segments: list[Segment]) -> frozenset[int]:
    """The x (whole points) where runs of at least `_EDGE_ROWS` lines start: the left
    edges of a page's columns."""
    starts = Counter(round(s.left) for s in segments)
    return frozenset(x for x, n in starts.items() if n >= _EDGE_ROWS)


def _merge_close(row: list[Segment], edges: frozenset[int] | None = frozenset()) -> list[Segment]:
    """Runs closer than a wide gap become one cell, joined with a space, or with none when
    they touch: a word split by a font change, or programs that place every letter on its
    own (wkhtmltopdf), whose one-letter runs stand up to a third of the taller glyph's height
    apart (side bearings) where a word gap is about half or more."""
    cells = [row[0]]
    # where every letter is a run, a word gap is wider than the row's usual letter gap
    # (as a share of the glyphs' height, so that a large title and small print compare)
    letter_gaps = sorted(
        (b.left - a.right) / max(a.top - a.bottom, b.top - b.bottom, 0.1)
        for a, b in itertools.pairwise(row)
        if len(a.text) == len(b.text) == 1
    )
    usual = letter_gaps[len(letter_gaps) // 2] if len(letter_gaps) >= 6 else None
    gaps: list[float] = []  # the word gaps inside the cell being built
    for before, seg in itertools.pairwise(row):
        prev = cells[-1]
        gap = seg.left - prev.right
        if gap > max(prev.top - prev.bottom, 1.0) * 1.2:
            cells.append(seg)
            gaps = []
            continue
        tall = max(before.top - before.bottom, seg.top - seg.bottom)
        if edges is None and _AMOUNT_WORD.match(before.text) and _AMOUNT_WORD.match(seg.text):
            # two whole amounts side by side are two cells however close OCR set them
            # ("9% | €4,192.17 €377.30 €4,569.47" of a VAT recap); "1 234,56" is one amount
            cells.append(seg)
            gaps = []
            continue
        if (
            gap > tall * _COLUMN_GAP
            and seg.space_before is not False
            and (
                gap > (_WIDER * min(gaps) if edges is not None else _OCR_WIDER * min(gaps))
                if gaps
                else edges is not None and _lines_of_text(prev, seg)
            )
            and (edges is None or _on_edge(seg, edges))
        ):
            # wider than the cell's own word gaps, where a column starts (or anywhere in OCR
            # words, `edges` None): the next column's text ("USt-IdNr.: DE868839282 |
            # Priemyselná 75" of two table cells; "… 2026 | 20269428" of a table read by OCR)
            cells.append(seg)
            gaps = []
            continue
        if gap > tall * 0.12:
            gaps.append(gap)
        single = len(before.text) == 1 and len(seg.text) == 1
        lettered = gap < tall * (0.42 if single else 0.12)
        if single and usual is not None and gap > tall * max(2.2 * usual, 0.2):
            lettered = False
        if seg.text[0] in ",.;:" and gap < tall * 0.42:  # "Jan 1, 2022", not "Jan 1 , 2022"
            lettered = True
        if seg.space_before is not None:  # the page says: a word goes on, or a new one starts
            lettered = not seg.space_before and gap < tall * 0.42
        cells[-1] = Segment(
            prev.left,
            min(prev.bottom, seg.bottom),
            seg.right,
            max(prev.top, seg.top),
            f"{prev.text}{'' if lettered else ' '}{seg.text}",
        )
    return cells


def _lines_of_text(prev: Segment, seg: Segment) -> bool:
    """Two runs of several words each, the second starting with a letter: a line of one
    column and a line of the next ("IČO: 63348438, DIČ: 2025492458, IČ pre | IČO: 86542869,
    DIČ: 2075200050"), whose word gaps are inside the runs; not a label and its value
    ("Základ DPH 12 % | 5 440,53 Kč")."""
    return prev.text.count(" ") >= 2 and seg.text.count(" ") >= 2 and seg.text[:1].isalpha()


def _on_edge(seg: Segment, edges: frozenset[int] | None) -> bool:
    if edges is None:
        return True
    x = round(seg.left)
    return x in edges or x - 1 in edges or x + 1 in edges


def layout_lines(segments: list[Segment], merge: bool = True) -> tuple[str, ...]:
    """The page as lines of text; wide gaps between cells become four spaces."""
    return tuple("    ".join(c.text for c in row) for row in layout_rows(segments, merge=merge))


def _fits(row: list[Segment], seg: Segment, within_reach: bool = True) -> bool:
    """`seg` belongs to `row`: level with its first run, and with the last run of about its
    height (two lines of a sidebar beside one tall title are two rows, not one). Every run
    was level with the row when it joined, so the last one of a size stands for them all.
    `within_reach`: False when `seg` lies wholly below the row's runs (`_floor`)."""
    if not _same_row(row[0], seg):
        # level with a run that joined the row at its edge: its value beside it ("Supply
        # date | 3-Aug-2025" between the lines of an address block drawn at another pitch)
        # (its last runs only: a hostile line of thousands of drifting runs stays linear)
        return within_reach and any(_level(m, seg) for m in row[-_LEVEL_RUNS:])
    height = seg.top - seg.bottom
    like = next(
        (m for m in reversed(row) if 0.67 * height <= m.top - m.bottom <= 1.5 * height), None
    )
    if like is None or like is row[0] or _same_row(like, seg):
        return True
    # the run just before it on the line, level with it: a word of the same line whatever
    # another column's runs say ("TÓTH TLAČIAREŇ | s.r.o." as OCR boxes them, the small
    # letters' box lower than the capitals')
    return any(
        _level(m, seg) and 0 <= seg.left - m.right <= 2 * (m.top - m.bottom)
        for m in row[-_LEVEL_RUNS:]
    )


_LEVEL_RUNS = 40  # a row's runs a new run is compared with: a line of labels and values


_LEVEL_SLACK = 0.1  # of the taller box's height


def _floor(seg: Segment) -> float:
    """Below this, nothing is `_level` with `seg`: a run is level with it only if its top
    plus its slack reaches higher (both boxes overlap within the taller one's slack)."""
    return seg.bottom - _LEVEL_SLACK * max(seg.top - seg.bottom, 0.1)


def _level(a: Segment, b: Segment) -> bool:
    """Set on one line in about one size: the lower box lies within the taller, which is at
    most half again as tall (digits have neither accents nor descenders: "Číslo faktury: |
    202606625", "Vystaveno: | 07. 11. 2025")."""
    (low, tall) = sorted((a, b), key=lambda s: s.top - s.bottom)
    height = max(tall.top - tall.bottom, 0.1)
    slack = _LEVEL_SLACK * height
    return (
        low.top - low.bottom >= 0.6 * height
        and low.bottom >= tall.bottom - slack
        and low.top <= tall.top + slack
    )


def _same_row(first: Segment, seg: Segment) -> bool:
    overlap = min(first.top, seg.top) - max(first.bottom, seg.bottom)
    height = first.top - first.bottom
    if seg.top - seg.bottom < 0.5 * height:  # a comma, an underscore: sits at the baseline
        middle = (seg.top + seg.bottom) / 2
        return first.bottom - 0.3 * height <= middle <= first.top
    return overlap > 0.5 * min(height, seg.top - seg.bottom)
