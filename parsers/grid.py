"""A document as rows of positioned cells, and the "where is the value of this label" questions.

Invoicing programs put a value right of its label ("IČO: 12345678" or "Dátum splatnosti   1.2.2026"),
or under it (a header row of labels above a row of values). A `Grid` answers both from cell
positions, so the field rules need not know the layout. PDFs give real positions; plain text
(a receipt printout) uses character columns.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from parsers.labels import fast, folded, ids_apart, search
from parsers.pdftext import PdfText, layout_rows
from parsers.values import CURRENCY_PATTERN

T = TypeVar("T")
_CHAR_WIDTH = 5.0  # points per character column for plain text
_RATE_GAP = re.compile(r"(\d)\s+%")
_HAS_DIGIT = re.compile(r"\d")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_DAY = re.compile(r"\d{1,2}[.,]?")
_MONTH_WORD = re.compile(r"[^\W\d_]{3,12}\.?")  # "novembra" between "10." and "2025"
LABEL_ROW_CELLS = 40  # a row of labels has a few dozen cells at most
_WRAPPED_LINES = 4  # a label in a narrow table column: up to four lines
# Up to three words of a label's own after it ("brutto", "inkl. MwSt.", "v CZK:")
_LABEL_WORDS = re.compile(r"(?:[^\W\d_][\w.\-]{0,15}\.?\s*:?\s+){1,3}(?=\S)")


# What parts a label from its value: ": ", " - ", "# ", and the em dash OCR reads for the gap
# between them ("Invoice number — F8A1786F-0029"); not a dash right before a number or
# before its currency and the number, which is its minus ("-0,19", "-€602.83")
_SEPARATOR = re.compile(rf"^(?:[\s:.#—]|[-–](?!\d|{CURRENCY_PATTERN}\s?\d))+")
_LABEL_TAIL = re.compile(r"^\s*(?:[/(][^:\d]{0,40}|[^:\d]{0,25}[/)][^:\d]{0,25}):")


def value_text(text: str) -> str:
    """A value as printed after or beside its label, without what separates them (": ",
    " - ", an OCR's "—")."""
    return _SEPARATOR.sub("", text)


def label_tail_removed(rest: str) -> str:
    """What follows a matched label, without the label's own continuation: a translation
    ("Variabilný symbol / Payment ref.: 123"), a variant ("Dátum dodania tovaru/služby: …")."""
    m = _LABEL_TAIL.match(rest)
    return rest[m.end() :] if m else rest


@dataclass(frozen=True, slots=True)
class Cell:
    row: int  # global row index, pages in order
    index: int  # position in its row
    left: float
    right: float
    text: str


def part_from(cell: Cell, start: int) -> Cell:
    """`cell` from its `start`-th character on, its left edge estimated by the share of the
    text before it: two header labels a narrow gap apart read as one cell ("Datum
    zdanitelného plnění Datum splatnosti"), and the value under the second is not the one
    under the first."""
    if start <= 0 or not cell.text:
        return cell
    left = cell.left + (cell.right - cell.left) * start / len(cell.text)
    return Cell(cell.row, cell.index, left, cell.right, cell.text[start:])


def stacked(upper: Cell, lower: Cell) -> bool:
    """`lower` stands in `upper`'s column: they overlap across (a value under its label, a
    label's next line), `lower` allowed to start a little left of it."""
    return lower.left < upper.right and lower.right > upper.left - 2


@dataclass(frozen=True, slots=True)
class Grid:
    rows: tuple[tuple[Cell, ...], ...]
    # A label its cell wrapped ("Dátum | vystavenia" in a table's header): each wordy cell
    # with the wordy cell right under it, as one cell in the lower one's place.
    wrapped: tuple[tuple[str, Cell], ...] = field(init=False, repr=False, compare=False)
    # each of those cells' first line: a value may stand right of it (a narrow label column
    # of a facts table: "Dátum zdaniteľného | 24. 05. 2025", "plnenia:" under it)
    first_lines: dict[Cell, Cell] = field(init=False, repr=False, compare=False)
    # where each cell that ends a wrapped label has its first line (the nearest: the label of
    # two lines, not the chain of the labels above it)
    _tops: dict[tuple[int, int], Cell] = field(init=False, repr=False, compare=False)
    # the rows as lines of text, cells four spaces apart
    lines: tuple[str, ...] = field(init=False, repr=False, compare=False)
    # each row's texts as `labels.search` matches them, made once for all the labels
    _folded: tuple[tuple[str | None, ...], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", tuple("    ".join(c.text for c in r) for r in self.rows))
        object.__setattr__(
            self, "_folded", tuple(tuple(folded(c.text) for c in row) for row in self.rows)
        )
        found = list(self._wrapped_labels())
        object.__setattr__(self, "wrapped", tuple((upper, cell) for upper, cell, _ in found))
        object.__setattr__(self, "first_lines", {cell: first for _, cell, first in found})
        tops: dict[tuple[int, int], Cell] = {}
        for _, cell, first in found:
            at = (cell.row, cell.index)
            if at not in tops or first.row > tops[at].row:
                tops[at] = first
        object.__setattr__(self, "_tops", tops)

    def _wrapped_labels(self) -> Iterator[tuple[str, Cell, Cell]]:
        """(the lines above the last, the lines as one cell, the first line's cell), for a
        wordy cell and the one, two or three wordy lines under it: a narrow column wraps
        "Datum | uskutečnění | zdanitelného | plnění". Each next line is the first text under the last in its column,
        in the next row or the one after: a neighbour cell of one line, centred in the same
        table row, may stand between them ("Datum | Faktura č. | vystavení")."""
        for upper in self.rows:
            if len(upper) > LABEL_ROW_CELLS:
                continue  # no header row: a hostile page's thousands of cells stay linear
            for cell in upper:
                if _HAS_DIGIT.search(cell.text):
                    continue
                last, text, left, right = cell, cell.text, cell.left, cell.right
                for _ in range(_WRAPPED_LINES - 1):
                    other = self.line_under(last)
                    if other is None or _HAS_DIGIT.search(other.text):
                        break
                    left, right = min(left, other.left), max(right, other.right)
                    joined = Cell(other.row, other.index, left, right, f"{text} {other.text}")
                    yield text, joined, cell
                    last, text = other, f"{text} {other.text}"

    def wrapped_from(self, cell: Cell) -> Cell | None:
        """The first line of the nearest label that `cell`'s line ends ("Dátum" over
        "splatnosti:"), also when the last line alone reads as the label."""
        return self._tops.get((cell.row, cell.index))

    def _going_on(self, cell: Cell) -> Cell | None:
        """The label of two lines that `cell` begins, as one cell, when its next line goes
        on in lower case ("Dátum vystavenia | faktúry"): not a label of its own under a
        label that ended ("Datum vystavení: | Datum uskutečnění")."""
        if cell.text.rstrip().endswith(":"):
            return None
        joined = min(
            (joined for joined, first in self.first_lines.items() if first is cell),
            key=lambda joined: joined.row,
            default=None,
        )
        going_on = joined is not None and joined.text[len(cell.text) + 1 :][:1].islower()
        return joined if going_on else None

    def wrapped_through(self, cell: Cell) -> list[str]:
        """The texts of the wrapped labels that `cell` begins or ends ("Date" over "of |
        supply", "date" under "Due")."""
        return [
            joined.text
            for joined, first in self.first_lines.items()
            if first is cell or (joined.row, joined.index) == (cell.row, cell.index)
        ]

    def line_under(self, cell: Cell) -> Cell | None:
        """The first text under `cell` in its column, in the next row or the one after."""
        for lower in self.rows[cell.row + 1 : cell.row + 3]:
            if len(lower) > LABEL_ROW_CELLS:
                return None
            if (other := next((o for o in lower if stacked(cell, o)), None)) is not None:
                return other
        return None

    @classmethod
    def from_pdf(cls, pdf: PdfText) -> Grid:
        rows: list[tuple[Cell, ...]] = []
        for page in pdf.pages:
            for segs in layout_rows(list(page.segments), merge=not page.cells):
                r = len(rows)
                rows.append(
                    tuple(
                        Cell(r, i, s.left, s.right, ids_apart(s.text)) for i, s in enumerate(segs)
                    )
                )
        return cls(tuple(rows))

    @classmethod
    def from_text(cls, text: str) -> Grid:
        rows: list[tuple[Cell, ...]] = []
        for line in text.splitlines():
            line = _RATE_GAP.sub(r"\1 %", line)  # "9  %" in a printout is one value
            cells: list[Cell] = []
            for m in re.finditer(r"\S+(?: \S+)*", line):
                cells.append(
                    Cell(
                        len(rows),
                        len(cells),
                        m.start() * _CHAR_WIDTH,
                        m.end() * _CHAR_WIDTH,
                        ids_apart(m.group()),
                    )
                )
            if cells:
                rows.append(tuple(cells))
        return cls(tuple(rows))

    def cells(self) -> Iterator[Cell]:
        for row in self.rows:
            yield from row

    def find(
        self, label: re.Pattern[str], first_rows: int | None = None, wrapped: bool = False
    ) -> Iterator[tuple[Cell, re.Match[str]]]:
        """Where `label` is printed, overlapping matches included; with `wrapped`, afterwards
        also labels wrapped over several lines of a cell, matched as a whole: across a break,
        and not by the last line alone (a bare "Datum" above "vystavení" is a label, and so
        is "Datum vystavení")."""
        rows = self.rows if first_rows is None else self.rows[:first_rows]
        quick = fast(label)
        for row, lows in zip(rows, self._folded, strict=False):
            for cell, low in zip(row, lows, strict=True):
                if quick is not None and low is not None and quick.search(low) is None:
                    continue  # most cells: known at C speed
                # overlapping ones too: "DOKLAD Číslo" ("Doklad číslo 12") is no label in
                # "… DAŇOVÝ DOKLAD Číslo faktúry: 12", "Číslo faktúry" is
                m = label.search(cell.text)
                while m is not None:
                    yield cell, m
                    m = label.search(cell.text, m.start() + 1)
        if wrapped:
            last = len(rows)
            for upper, cell in self.wrapped:
                if cell.row >= last or (found := search(label, cell.text)) is None:
                    continue
                crosses = found.end() > len(upper) and not label.search(cell.text[len(upper) + 1 :])
                # from its first line: a match from a later one is that line's own wrapped label
                if crosses and found.start() < len(self.first_lines[cell].text):
                    yield cell, found

    def right_of(self, cell: Cell) -> Cell | None:
        row = self.rows[cell.row]
        return row[cell.index + 1] if cell.index + 1 < len(row) else None

    def below(self, cell: Cell, depth: int = 2) -> Iterator[Cell]:
        """Cells in the next rows that overlap `cell` horizontally (values under a label).
        Rows of words only with nothing under `cell` do not count: its neighbours' labels
        wrapped there ("Číslo | Datum", "  | uskutečnění", "  | plnění", then the values)."""
        skipped = 0
        # at most `depth` rows that count, and the wrapped label rows passed over
        for row in self.rows[cell.row + 1 : cell.row + depth + _WRAPPED_LINES]:
            if depth <= 0:
                return
            if (other := next((o for o in row if stacked(cell, o)), None)) is not None:
                yield other
            elif (
                skipped < _WRAPPED_LINES - 1
                and len(row) <= LABEL_ROW_CELLS
                and not any(_HAS_DIGIT.search(o.text) for o in row)
            ):
                skipped += 1
                continue
            depth -= 1

    def value_for(
        self,
        label: re.Pattern[str],
        parse: Callable[[str], T | None],
        first_rows: int | None = None,
        below: bool = True,
        skip: Callable[[Grid, Cell], bool] | None = None,
    ) -> tuple[T, Cell] | None:
        """The value of the first occurrence of `label` that has one: after the label in the
        same cell, else in the cell to the right, else (with `below`) under it. Words without
        digits after the label ("k úhradě v CZK") still belong to the label. `skip` passes
        over occurrences that are no label here."""
        for cell, m in self.find(label, first_rows, wrapped=True):
            if skip is not None and skip(self, cell):
                continue
            rest = value_text(label_tail_removed(cell.text[m.end() :]))
            if rest:
                value = parse(rest)
                if value is None and (words := _LABEL_WORDS.match(rest)):
                    value = parse(rest[words.end() :])  # "Gesamtbetrag brutto 6.201,26 €"
                if value is None and (year := self._year_after(cell)) is not None:
                    value = parse(f"{rest} {year}")  # "Dátum vystavenia: 6. 5. | 2025"
                if value is not None:
                    return value, cell
                if any(ch.isdigit() for ch in rest) or len(rest) > 25:
                    continue  # something else follows the label in the same cell: not this one
            first = self.first_lines.get(cell)
            beside = [self.right_of(cell)] if first is None else self._beside_lines(first, cell)
            if first is None and beside == [None] and (top := self.wrapped_from(cell)):
                # "splatnosti:" alone is the label too, its value beside "Dátum" above it
                beside = self._beside_lines(top, cell)
            under = self.below(part_from(cell, m.start()))
            neighbours = (*beside, *under) if below else tuple(beside)
            if (end := self._going_on(cell)) is not None and label.search(end.text):
                # "Dátum vystavenia" over "faktúry": its value beside the next line or
                # centred between the two
                neighbours = (*neighbours, *self._beside_lines(cell, end))
            for other in neighbours:
                if other is not None:
                    value = parse(value_text(other.text))  # ": 16.09.2013" beside its label
                    if value is None and (year := self._year_after(other)) is not None:
                        value = parse(f"{value_text(other.text)} {year}")  # "30. mája | 2025"
                    if value is not None:
                        return value, other
            around = self._broken_around(cell) if below else None
            if around is not None and (value := parse(around[0])) is not None:
                return value, around[1]
        return None

    def _broken_around(self, label: Cell) -> tuple[str, Cell] | None:
        """A date its column broke before the year, with the label centred between its lines
        (a table cell's default): "24. července" right of the line above the label, "2026"
        under it, nothing beside the label before the next column."""
        if label.row == 0:
            return None
        above = next((c for c in self.rows[label.row - 1] if c.left >= label.right - 2), None)
        if above is None or _YEAR.search(above.text) or (year := self._year_after(above)) is None:
            return None
        beside = self.right_of(label)
        if (
            beside is not None
            and beside.left <= above.right
            and beside is not self.line_under(above)
        ):
            return None  # the label's line has a value of its own, not the date's next part
        return f"{value_text(above.text)} {year}", above

    def _beside_lines(self, first: Cell, label: Cell) -> list[Cell | None]:
        """What stands right of a label wrapped from `first` down to `label`'s line: its
        value beside the first line, the last, or one between (a table cell centres it).
        Text further right than the nearest of them is another column's; a word nearest
        beside makes it a header row, whose values stand under their labels."""
        found = [self.right_of(first)]
        for r in range(first.row + 1, label.row + 1):
            found.append(next((c for c in self.rows[r] if c.left >= label.right - 2), None))
        near = min((c.right for c in found if c is not None), default=0.0)
        nearest: list[Cell | None] = [c for c in found if c is not None and c.left <= near]
        if any(c is not None and not _HAS_DIGIT.search(c.text) for c in nearest):
            return []  # words nearest beside: a header row, each label over its value
        return nearest

    def _year_after(self, cell: Cell) -> str | None:
        """The rest of a date too long for its column or line, broken before its year: a year
        alone under it, after a day or a month ("June | 15, | 2026", "10. | novembra |
        2025"), or at the start of the next line (a wrapped "Label:<TAB>8. mája"). A cell
        centred in a table row may stand between."""
        if _YEAR.search(cell.text):
            return None
        after = self.line_after(cell)
        start = self.rows[cell.row][0].left
        went_on = (
            after is not None
            and len(self.rows[after.row]) == 1
            and after.right < cell.left
            and after.left <= start + 2
        )
        # the line went on at its start, or (that line being the next label, which OCR
        # gives a row of its own) under it
        for nxt in (after, self.line_under(cell)) if went_on else (self.line_under(cell),):
            parts: list[str] = []
            while nxt is not None and len(parts) < 2:
                if _YEAR.fullmatch(nxt.text):
                    return " ".join([*parts, nxt.text])
                if not (_DAY.fullmatch(nxt.text) or _MONTH_WORD.fullmatch(nxt.text)):
                    break
                parts.append(nxt.text)
                nxt = self.line_under(nxt)
        return None

    def line_after(self, cell: Cell) -> Cell | None:
        """Where a wrapped line goes on when `cell` ends its row: the next row's first cell,
        starting no further right than `cell` (a paragraph's next line, a footer's "VAT No.: |
        SK…")."""
        if cell.row + 1 >= len(self.rows) or cell.index + 1 < len(self.rows[cell.row]):
            return None
        first = self.rows[cell.row + 1][0]
        return first if first.left < cell.left + 2 else None
