"""The label patterns' fast search finds what the patterns themselves find, no more, no less:
it only decides faster that a cell holds no label."""

from __future__ import annotations

import re

import pytest

from parsers import labels
from parsers.grid import Grid
from parsers.pdftext import read_pdf
from tests.docgen import LAYOUTS, make_doc

PATTERNS = [v for v in vars(labels).values() if isinstance(v, re.Pattern)] + [
    p for _, p in labels.TITLES
]
ODD = [
    "DÁTUM SPLATNOSTI: 12. 12. 2026",
    "Splatnosť 1.2.2026",
    "FALLIGKEITSDATUM",
    "İstanbul Fatura Faktura",  # "İ" lowers to two characters
    "ſplatnost",  # a long s is an "s" to `re`
    "Dobropiſ",
    "ıban",  # a dotless i is an "i" to `re`
    "",
    "Rechnungs-Korrektur Nr. 12",
    "IČ DPH: SK2020202020   DIČ: 2020202020",
]


def _texts() -> list[str]:
    texts = list(ODD)
    for i, name in enumerate(LAYOUTS):
        grid = Grid.from_pdf(read_pdf(LAYOUTS[name](make_doc(i))))
        texts += [c.text for c in grid.cells()]
        texts.append("\n".join(grid.lines[:25]))
    return texts


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return _texts()


def test_search_finds_what_the_pattern_finds(texts: list[str]) -> None:
    found = 0
    for pattern in PATTERNS:
        for text in texts:
            want = pattern.search(text)
            got = labels.search(pattern, text)
            assert (got and (got.span(), got.group())) == (want and (want.span(), want.group()))
            found += want is not None
    assert found > 300  # the texts hold labels: the check compared matches, not only misses


def test_fast_pattern_keeps_escapes_and_names() -> None:
    pattern = re.compile(r"(?P<Word>A\S+)\s(?P=Word)", re.IGNORECASE)
    quick = labels.fast(pattern)
    assert quick is not None and not quick.flags & re.IGNORECASE
    assert quick.search("ab ab") and not quick.search("a  a")
    assert labels.search(pattern, "xx AB ab").span() == (3, 8)  # type: ignore[union-attr]


def test_case_sensitive_pattern_is_left_alone() -> None:
    pattern = re.compile(r"SK\d{10}")
    assert labels.fast(pattern) is None
    assert labels.search(pattern, "sk2020202020") is None
    assert labels.search(pattern, "SK2020202020") is not None


def test_grid_find_is_unchanged_for_odd_letters() -> None:
    grid = Grid.from_text("ſplatnosť: 12.12.2026\nDátum splatnosti: 1.2.2026\nİBAN x\nIBAN y")
    for pattern in (labels.DUE, labels.IBAN):
        want = []
        for cell in grid.cells():  # every match, overlapping ones too, as `find` promises
            m = pattern.search(cell.text)
            while m is not None:
                want.append((cell.text, m.span()))
                m = pattern.search(cell.text, m.start() + 1)
        got = [(c.text, m.span()) for c, m in grid.find(pattern)]
        assert got == want and len(got) >= 2


@pytest.mark.parametrize(
    ("pattern", "text", "value"),
    [
        (labels.IC_DPH, "UStld-Nr.: DE117832921", "DE117832921"),  # OCR: the I as an l
        (labels.DIC, "DlČ: 2098312403", "2098312403"),
        (labels.ICO, "lČO: 38949504", "38949504"),
        (labels.IC_DPH, "USt-IdNr.: DE117832921", "DE117832921"),
    ],
)
def test_identifier_labels_are_found_as_ocr_reads_them(
    pattern: re.Pattern[str], text: str, value: str
) -> None:
    m = pattern.search(text)
    assert m is not None and m[1] == value
    assert labels.search(pattern, text) is not None  # the fast search agrees


@pytest.mark.parametrize(
    "text", ["Less deposit paid", "Deposit received", "Geleistete Anzahlung", "Acconto versato"]
)
def test_deducted_advances_are_labels_in_more_words(text: str) -> None:
    assert labels.ADVANCES.search(text) and labels.search(labels.ADVANCES, text)


def test_lenient_letters_leave_group_names_alone() -> None:
    """A capital I matches an l (OCR), an accent its other forms, but not in a group's name,
    where "[Il]" would be no name at all."""
    source = labels._lenient(r"(?P<Iban>IBAN)\s(?P=Iban)?é")
    assert source == r"(?P<Iban>[Il]BAN)\s(?P=Iban)?[eéěëèę]"
    assert re.compile(source).fullmatch("lBAN é")
