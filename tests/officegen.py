"""A fourth producer, as invoices typed in a word processor are made: a Word document
(python-docx) converted to PDF by LibreOffice (Debian's libreoffice-writer-nogui, headless).
What such documents do that the other producers do not: facts set with tab stops
("Dátum vystavenia:<TAB>12.03.2026" on one line, the gap is a tab), the letterhead and the
legal footer in the page's header and footer sections, parties in a borderless two-column
table, totals as right-aligned tab lines, Word's table styles, fonts the converter
substitutes. Every document draws its layout from randomised choices; nobody tuned the
reader on them before their first run (bench/accuracy.py prints it).

    python -m tests.officegen OUT_DIR [N]     # write N samples (PDF + expected JSON)
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.docgen import Doc, Party, make_doc
from tests.htmlgen import LABELS, _date, _money, write_samples

FONTS = ["DejaVu Sans", "DejaVu Serif", "Calibri", "Arial", "Times New Roman"]


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def render(doc: Doc, seed: int) -> tuple[Any, set[str]]:
    """The invoice as a python-docx Document, and the expected keys it does not print."""
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
    from docx.shared import Cm, Pt

    rnd = random.Random(seed)
    lang = rnd.choice(list(LABELS))
    L = {k: rnd.choice(v) for k, v in LABELS[lang].items()}
    dstyle, mstyle = rnd.randrange(3), rnd.randrange(3)
    not_printed: set[str] = set()
    out = Document()
    section = out.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(rnd.choice([1.8, 2.0, 2.5]))
    section.top_margin = Cm(rnd.choice([1.5, 2.0]))
    width = section.page_width - section.left_margin - section.right_margin
    style = out.styles["Normal"]
    style.font.name = rnd.choice(FONTS)
    style.font.size = Pt(rnd.choice([9, 10, 11]))
    style.paragraph_format.space_after = Pt(rnd.choice([0, 2]))
    colon = rnd.choice([":", ""])

    def d(x: Any) -> str:
        return _date(x, lang, dstyle) if x else ""

    def m(v: Decimal) -> str:
        return _money(v, lang, mstyle)

    def para(container: Any, text: str = "", *, bold: bool = False, size: int = 0) -> Any:
        p = container.add_paragraph()
        if text:
            run = p.add_run(text)
            run.bold = bold
            if size:
                run.font.size = Pt(size)
        return p

    def party_lines(p: Party) -> list[str]:
        lines = [x for x in (p.street, p.city) if x] + [f"{L['ico']}{colon} {p.ico}"]
        lines += [f"{L['dic']}{colon} {p.dic}"] if p.dic else []
        lines += [f"{L['ic_dph']}{colon} {p.ic_dph}"] if p.ic_dph else []
        return lines

    def party_into(container: Any, p: Party, head: str) -> None:
        """The party's block; in a new table cell its head takes the cell's empty paragraph."""
        ps = container.paragraphs
        first = ps[0] if len(ps) == 1 and not ps[0].text else container.add_paragraph()
        first.add_run(head + colon).bold = True
        container.add_paragraph().add_run(p.name).bold = True
        for line in party_lines(p):
            para(container, line)

    s = doc.supplier
    letterhead = rnd.choice(["header", "body", "none"])
    if letterhead == "header":
        head = section.header
        hp = head.paragraphs[0]
        hp.add_run(s.name).bold = True
        hp.add_run(f"\n{s.street}, {s.city}")
        ids = [f"{L['ico']}{colon} {s.ico}"] + ([f"{L['dic']}{colon} {s.dic}"] if s.dic else [])
        ids += [f"{L['ic_dph']}{colon} {s.ic_dph}"] if s.ic_dph else []
        hp.add_run("\n" + "  |  ".join(ids))
        hp.alignment = rnd.choice([WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.RIGHT])
    elif letterhead == "body":
        para(out, s.name, bold=True, size=16)
        para(out, f"{s.street}, {s.city}")

    number_in_title = rnd.random() < 0.5
    title_text = L["title"] + (f" {doc.number}" if number_in_title else "")
    title = para(out, title_text, bold=True, size=rnd.choice([14, 16, 20]))
    title.alignment = rnd.choice([WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.CENTER])

    facts = [(L["number"], doc.number)] if not number_in_title or rnd.random() < 0.5 else []
    facts += [(L["issue"], d(doc.issue_date)), (L["delivery"], d(doc.delivery_date))]
    facts.append((L["due"], d(doc.due_date)))
    if doc.variable_symbol and lang != "de":
        facts.append((L["vs"], doc.variable_symbol))
    else:
        not_printed.add("variable_symbol")

    def tab_facts(container: Any, stop: Any) -> None:
        for label, value in facts:
            p = para(container)
            p.paragraph_format.tab_stops.add_tab_stop(stop)
            p.add_run(f"{label}{colon}\t{value}")

    parties = rnd.choice(["table", "stacked", "table+facts"])
    if parties == "stacked":
        party_into(out, s, L["supplier"])
        para(out)
        party_into(out, doc.customer, L["customer"])
        para(out)
        tab_facts(out, Cm(rnd.choice([4.5, 5.5, 7.0])))
    else:
        grid = out.add_table(rows=1, cols=2)
        grid.alignment = WD_TABLE_ALIGNMENT.CENTER
        left, right = grid.rows[0].cells
        party_into(left, s, L["supplier"])
        party_into(right, doc.customer, L["customer"])
        para(out)
        if parties == "table+facts":
            row = grid.add_row().cells
            row[0].paragraphs[0].add_run(" ")
            tab_facts(row[1], Cm(4.5))
        elif rnd.random() < 0.5:
            tab_facts(out, Cm(rnd.choice([4.5, 6.0])))
        else:
            box = out.add_table(rows=2, cols=len(facts))
            box.style = "Table Grid"
            for i, (label, value) in enumerate(facts):
                box.rows[0].cells[i].text = label
                box.rows[1].cells[i].text = value
    para(out)

    items = out.add_table(rows=1, cols=5)
    items.style = rnd.choice(["Table Grid", "Light List Accent 1", "Light Shading"])
    heads = [L["item"], L["qty"], L["price"], L["rate"], L["gross"]]
    for cell, text in zip(items.rows[0].cells, heads, strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for it in doc.items:
        cells = items.add_row().cells
        values = [it.text, str(it.quantity), m(it.unit_price), f"{it.rate} %"]
        values.append(m(it.quantity * it.unit_price))
        for i, (cell, text) in enumerate(zip(cells, values, strict=True)):
            cell.text = text
            if i:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    para(out)

    right = Cm(width / 360000 - 0.2)  # EMU
    indent = Cm(rnd.choice([6.0, 8.0]))
    rows = doc.vat_rows()
    if rows and rnd.random() < 0.5:
        recap = out.add_table(rows=1, cols=4)
        recap.style = "Table Grid"
        for cell, text in zip(
            recap.rows[0].cells, [L["rate"], L["base"], L["vat"], L["gross"]], strict=True
        ):
            cell.text = text
        for r in rows:
            base, vat = Decimal(r["base"]), Decimal(r["vat"])
            values = [f"{r['rate']} %", m(base), m(vat), m(base + vat)]
            for cell, text in zip(recap.add_row().cells, values, strict=True):
                cell.text = text
    else:
        for r in rows:
            base, vat = Decimal(r["base"]), Decimal(r["vat"])
            for label, value in (
                (f"{L['base']} {r['rate']} %", base),
                (f"{L['vat']} {r['rate']} %", vat),
            ):
                p = para(out)
                p.paragraph_format.tab_stops.add_tab_stop(right, WD_TAB_ALIGNMENT.RIGHT)
                p.paragraph_format.left_indent = indent
                p.add_run(f"{label}{colon}\t{m(value)}")
    total = para(out)
    total.paragraph_format.tab_stops.add_tab_stop(right, WD_TAB_ALIGNMENT.RIGHT)
    total.paragraph_format.left_indent = indent
    total.add_run(f"{L['total']}{colon}\t{m(doc.total())}").bold = True
    para(out)

    iban = " ".join(doc.iban[i : i + 4] for i in range(0, len(doc.iban), 4)) if doc.iban else ""
    legal = f"{s.name}, {s.street}, {s.city}"
    bank = f"{L['iban']}{colon} {iban}" if doc.iban else ""
    if rnd.random() < 0.5 and bank:
        para(out, bank)
        bank = ""
    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    foot.add_run(" · ".join(x for x in (legal, bank) if x))
    if s.ic_dph:
        foot.add_run(f"\n{L['ic_dph']}{colon} {s.ic_dph}")
    for run in foot.runs:
        run.font.size = Pt(7)
    return out, not_printed


def convert(documents: list[Any]) -> list[bytes]:
    """PDFs of python-docx Documents, by one headless LibreOffice run for the whole batch."""
    binary = soffice()
    if binary is None:
        raise RuntimeError("libreoffice-writer-nogui is needed (make test installs it)")
    with tempfile.TemporaryDirectory(prefix="officegen-") as tmp:
        work = Path(tmp)
        names = []
        for i, document in enumerate(documents):
            document.save(str(work / f"d{i:04d}.docx"))
            names.append(f"d{i:04d}")
        subprocess.run(
            [
                binary,
                f"-env:UserInstallation=file://{work / 'profile'}",
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
                str(work / "pdf"),
                *(str(work / f"{n}.docx") for n in names),
            ],
            check=True,
            capture_output=True,
            timeout=60 + 10 * len(documents),
        )
        return [(work / "pdf" / f"{n}.pdf").read_bytes() for n in names]


def documents(n: int, first_seed: int = 40000) -> Iterator[tuple[Doc, bytes, dict[str, object]]]:
    """(document, PDF, expected fields) for n seeds, converted by one LibreOffice run."""
    docs, rendered, expected = [], [], []
    for seed in range(first_seed, first_seed + n):
        doc = make_doc(seed)
        word, not_printed = render(doc, seed)
        docs.append(doc)
        rendered.append(word)
        expected.append({k: v for k, v in doc.expected().items() if k not in not_printed})
    yield from zip(docs, convert(rendered), expected, strict=True)


def main(argv: list[str]) -> int:
    return write_samples(argv, documents, "office")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
