"""HTML printed to PDF by the Python libraries web apps use instead of a browser: WeasyPrint
(its own PDF writer over Pango) and xhtml2pdf (reportlab underneath). Both are fed the pages of
tests/appgen.py, tests/htmlgen.py, tests/foreigngen.py, tests/saasgen.py, tests/eastgen.py,
tests/utilitygen.py and tests/longgen.py, written for Chromium: each lays out their tables, wraps and fonts its own
way, which is the point.

xhtml2pdf knows only the PDF base fonts unless a page embeds one: Slovak and Czech letters
outside Latin-1 would print as black boxes, so the page gets DejaVu Sans as an app that
prints Slovak invoices sets it up.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator

from tests import appgen, eastgen, foreigngen, htmlgen, longgen, saasgen, utilitygen
from tests.docgen import Doc, make_doc

DEJAVU = "/usr/share/fonts/truetype/dejavu/"
_FACE = (
    "<style>@font-face { font-family: DejaVu; src: url(DejaVuSans.ttf); }"
    "@font-face { font-family: DejaVu; src: url(DejaVuSans-Bold.ttf); font-weight: bold; }"
    "body, div, td, th, p, span, table, h1, h2, h3, b, strong { font-family: DejaVu; }</style>"
)


def weasyprint_pdf(page: str) -> bytes:
    import weasyprint

    return bytes(weasyprint.HTML(string=page).write_pdf())


def xhtml2pdf_pdf(page: str) -> bytes:
    from xhtml2pdf import pisa

    page = page.replace("</head>", _FACE + "</head>", 1) if "</head>" in page else _FACE + page
    out = io.BytesIO()
    pisa.CreatePDF(page, dest=out, path=DEJAVU + "page.html")  # fonts found beside "page"
    return out.getvalue()


PRODUCERS: dict[str, Callable[[str], bytes]] = {
    "weasyprint": weasyprint_pdf,
    "xhtml2pdf": xhtml2pdf_pdf,
}


def _apps(seed: int) -> tuple[Doc, str, dict[str, object]]:
    doc, lang, choices = appgen.make(seed)
    return doc, appgen.render(doc, lang, choices, seed), appgen.expected_of(doc, lang)


def _html(seed: int) -> tuple[Doc, str, dict[str, object]]:
    doc = make_doc(seed)
    page, not_printed = htmlgen.render(doc, seed)
    return doc, page, {k: v for k, v in doc.expected().items() if k not in not_printed}


PAGES: dict[str, Callable[[int], tuple[Doc, str, dict[str, object]]]] = {
    "apps": _apps,
    "html": _html,
    "foreign": foreigngen.page_of,
    "saas": saasgen.page_of,
    "east": eastgen.page_of,
    "utility": utilitygen.page_of,
    "long": longgen.page_of,
}


def printed(
    producer: str, family: str, n: int, first_seed: int
) -> Iterator[tuple[Doc, bytes, dict[str, object]]]:
    """(document, PDF, expected fields) for n seeds of `family` (a key of `PAGES`: "apps" is
    tests/appgen.py, "html" tests/htmlgen.py, the others their generator's name without
    "gen") printed by `producer`."""
    to_pdf = PRODUCERS[producer]
    for seed in range(first_seed, first_seed + n):
        doc, page, expected = PAGES[family](seed)
        yield doc, to_pdf(page), expected
