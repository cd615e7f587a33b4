"""The printed labels of invoice fields, in the languages Slovak companies receive documents in.

Data, not code: each field has its words per language, compiled into one case-insensitive
pattern. Slovak (sk), Czech (cs), English (en), German (de), French (fr), Dutch (nl), Italian
(it), Hungarian (hu), Polish (pl), Spanish (es). A label is matched anywhere in a cell unless
the field says "whole cell" (a bare "Datum" or "Total" heads columns too often to trust
elsewhere). Sources: the languages' e-invoicing vocabularies (EN 16931 labels, ZUGFeRD,
Factur-X, KSeF, NAV) and the invoices of real invoicing programs.
"""

from __future__ import annotations

import re

from parsers.vocab import DocType

NOCASE = re.IGNORECASE


def _any(*words: str) -> str:
    return "|".join(words)


def _compile(*alternatives: str) -> re.Pattern[str]:
    return re.compile(_lenient("|".join(f"(?:{a})" for a in alternatives if a)), NOCASE)


# A case-insensitive pattern of many alternatives is slow in Python's `re`: at every position
# of the text it tries each alternative, folding case letter by letter (~0.3 ms for a page's
# first lines). The same pattern in lower case, on the text in lower case, is matched
# case-sensitively, and `re` then skips ahead to the characters an alternative can start
# with: 4-13x faster. It only says where the first match starts; the pattern itself then
# matches there on the text as printed, so what a caller gets is what `pattern.search` gives.
_FOLDED: dict[re.Pattern[str], re.Pattern[str] | None] = {}
# Letters `re` takes for a Latin one case-insensitively that lower case does not make it
# ("ſ" is an "s", a dotless "ı" an "i"); "İ" lowers to two characters.
_UNFOLDED = re.compile("[ſıẛﬅﬆ\u0307]")


def _folded(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """`pattern` in lower case, escapes kept (`\\S` is not `\\s`); None when it is not
    case-insensitive (nothing to gain, and its case matters)."""
    if not pattern.flags & re.IGNORECASE:
        return None
    source, out, i = pattern.pattern, [], 0
    while i < len(source):
        if source.startswith("(?P", i):  # a group's name, as written
            step = source.index(">" if source[i + 3] == "<" else ")", i) + 1 - i
        else:
            step = 2 if source[i] == "\\" else 1
        out.append(source[i : i + step] if step > 1 else source[i].lower())
        i += step
    return re.compile("".join(out), pattern.flags & ~re.IGNORECASE)


def folded(text: str) -> str | None:
    """`text` as `search` matches it (None: read it as printed)."""
    low = text.lower()
    return None if _UNFOLDED.search(low) else low


def fast(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """`pattern` for the `folded` text: where it finds nothing, `pattern` finds nothing."""
    try:
        return _FOLDED[pattern]
    except KeyError:
        found = _FOLDED[pattern] = _folded(pattern)
        return found


def search(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """`pattern.search(text)`, faster for the label patterns (see `_FOLDED`)."""
    if (quick := fast(pattern)) is None or (low := folded(text)) is None:
        return pattern.search(text)
    if (first := quick.search(low)) is None:
        return None
    return pattern.search(text, first.start())


_VARIANTS = (
    "aáäàą",
    "cčçć",
    "dď",
    "eéěëèę",
    "iíï",
    "lĺľł",
    "nňńñ",
    "oóôöő",
    "rŕř",
    "sšś",
    "tť",
    "uúůüű",
    "yý",
    "zžźż",
)
_ACCENTED = {ch: group for group in _VARIANTS for ch in group[1:]}
_ACCENTED["ł"] += "t"  # Tesseract's reading of a Polish ł ("Termin ptatnosci")


def _lenient(pattern: str) -> str:
    """Each accented letter of a label also matches its plain and other accented forms: OCR
    reads "úhradě" as "úhradé" or "uhrade", and some programs print labels without accents;
    a capital I written in a label matches an l, as OCR reads it ("UStld-Nr.", "lBAN").
    Letters inside [...] classes, after a backslash and in a group's name are left alone."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if pattern.startswith(("(?P<", "(?P="), i):  # a group's name, as written
            end = pattern.index(">" if pattern[i + 3] == "<" else ")", i) + 1
            out.append(pattern[i:end])
            i = end
            continue
        if in_class:
            in_class = ch != "]"
            out.append(ch)
        elif ch == "[":
            in_class = True
            out.append(ch)
        elif ch.lower() in _ACCENTED:
            out.append(f"[{_ACCENTED[ch.lower()]}]")
        elif ch == "I":  # a capital I of a label ("USt-IdNr.", "IBAN", "DIČ") read as an l
            out.append("[Il]")
        else:
            out.append(ch)
        i += 1
    return "".join(out)


# ---- document type, from the title: checked in this order (a credit note also says "invoice")

_RECEIPT_TITLE = r"pokladni?čný doklad|pokladní doklad"
# What only an eKasa receipt prints, though no title: its cash register's code (kód pokladne,
# ORP), the receipt's UID and the seller's check code (OKP).
_RECEIPT_EVIDENCE = r"\bkód pokladne\b|\beKasa\b|\bUID:\s*O-|\bORP kód\b|\bkód ORP\b|\bOKP\s*:"
TITLES: tuple[tuple[DocType, re.Pattern[str]], ...] = (
    (DocType.RECEIPT, _compile(_RECEIPT_TITLE, _RECEIPT_EVIDENCE)),
    (
        DocType.DEBIT_NOTE,
        _compile(r"ťarchopis|vrubopis|\bdebit note\b|\bLastschriftanzeige\b|\bnote de débit\b"),
    ),
    (
        DocType.ADVANCE_TAX_DOCUMENT,
        _compile(
            r"daňový doklad k (?:prijatej|přijaté) (?:platbe|platbě|úhradě|úhrade)|faktúra k prijatej platbe",
            r"rechnung über (?:die )?erhaltene (?:an)?zahlung",
            r"advance (?:payment )?tax document|prepayment invoice",
        ),
    ),
    (
        DocType.PROFORMA_INVOICE,
        _compile(
            r"zálohová faktúra|zálohová faktura|preddavková faktúra|predfaktúra|pro ?-?forma",
            r"výzva k? ?(?:na )?(?:úhrad|platb)|\bVorauskasse-?rechnung\b|facture d'acompte",
            r"díjbekérő|előlegbekérő|faktura zaliczkowa",
        ),
    ),
    (
        DocType.CREDIT_NOTE,
        _compile(
            r"dobropis|opravn(?:ý|á) (?:daňový doklad|faktúra|faktura)|credit note|\bstorno faktúr",
            r"rechnungs-?korrektur|korrekturrechnung|stornorechnung|\bavoir\b|facture rectificative",
            r"credit ?nota|creditfactuur|nota di credito|jóváíró számla|helyesbítő számla",
            r"faktura korygująca|korekta faktury|factura rectificativa",
        ),
    ),
    (
        DocType.INVOICE,
        _compile(
            r"faktúra|faktura|\binvoice\b|daňový doklad|\bbill\b",
            r"rechnung\b|\bhonorarnote\b|\bfacture\b|\bfactuur\b|\bfattura\b|\bszámla\b",
            r"\bfactura\b|\brachunek\b",
        ),
    ),
)

GUTSCHRIFT = _compile(r"\bgutschrift\b")
# The head of a VAT table's rate column ("MwSt-%", "Steuersatz [%]", "Sadzba DPH")
RATE_HEAD = _compile(
    r"^\s*(?:(?:mwst|ust|vat|tax|dph|btw|tva|iva|áfa|vat rate)\s?-?\s?%|%\s?(?:dph|vat|mwst|tva|btw))\s*$",
    r"^\s*(?:steuersatz|mwst\.?-?satz|ust\.?-?satz|vat rate|tax rate|rate|sadzba(?: dph)?|sazba(?: dph)?"
    r"|taux(?: de)?(?: tva)?|btw-?(?:tarief|percentage)|aliquota(?: iva)?|áfa ?kulcs|stawka(?: vat)?)"
    r"\s*(?:\[?%\]?|\(%\))?\s*:?\s*$",
)

# Any title word, whichever type it says (where only "is this a title" matters).
# A receipt's evidence (its cash register's code, its UID) is no title word.
ANY_TITLE = re.compile(
    "|".join(
        [_lenient(_RECEIPT_TITLE)]
        + [f"(?:{p.pattern})" for t, p in TITLES if t is not DocType.RECEIPT]
    ),
    NOCASE,
)

# ---- identifiers and dates

REFERS_TO = _compile(
    r"(?:k faktúre|k faktuře|opravuje (?:doklad|fakturu|faktúru)|pôvodn(?:á|ý) (?:faktúra|doklad)"
    r"|původní (?:faktura|doklad)|k daňovému dokladu|corrects invoice|original invoice"
    r"|credit note to invoice|zur rechnung|bezüglich rechnung|ursprüngliche rechnung"
    r"|facture d'origine|sur facture|oorspronkelijke factuur|betreft factuur|rif\. fattura"
    r"|riferimento fattura|fattura di riferimento|eredeti számla|helyesbített számla(?: sorszáma)?"
    r"|dotyczy faktury|korekta do faktury|faktura korygowana|opravovan(?:ý|ého) dokladu?"
    r"|bezug:? rechnung|zu rechnung|credit for invoice|refund for invoice|related invoice"
    r"|relates to invoice|corrected invoice|invoice reference|for invoice|factura rectificada"
    r"|rectifica (?:a )?la factura|factura original)\s*(?:č\.|číslo|no\.?|nr\.?|n°)?"
)

_DOC_WORD = _any(
    r"faktúr[ay]",
    r"faktur[ay]",
    r"dobropis[u]?",
    r"ťarchopis[u]?",
    r"doklad[u]?",
    r"invoice",
    r"credit note",
    r"nota di credito",
    r"nota de crédito",
    r"faktura korygująca",
    r"factura rectificativa",
    r"helyesbítő számla",
    r"debit note",
    r"receipt",
    r"rechnung",
    r"gutschrift",
    r"facture",
    r"avoir",
    r"factuur",
    r"fattura",
    r"számla",
    r"factura",
)
# A cell that is a document's title ("FAKTÚRA - DAŇOVÝ DOKLAD", "Tax invoice", "Rechnung
# R-1"): never a party's name.
TITLE_CELL = re.compile(
    _lenient(
        rf"^\s*(?:\w+\s+)?(?:{_DOC_WORD})\b[\s\-–:]*(?:daňový doklad|tax document)?"
        r"[\s#:.]*(?:č\.|nr\.?|no\.?)?\s*[\w/\-.]*\s*$"
    ),
    NOCASE,
)
_NUMBER_WORD = r"^(?:číslo|number|nummer|numéro|numero|numer|szám|nr\.?|no\.?|n°|č\.)(?=\s*:?\s*$)"
NUMBER = _compile(
    rf"(?:{_DOC_WORD})(?:\s*[-–]\s*daňový doklad|\s+k (?:prijatej|přijaté) platb[eě]|\s*\(\d{{3}}\))?\)?"
    r"\s*(?:č\.|číslo|no\.|nr\.?|number|num\.|nummer|numéro|n°|n\.º|n\.|nº|n®|#)",  # ® : OCR's º
    r"číslo (?:faktúry|faktury|dokladu|dobropisu)|invoice (?:no\.?|number|#)",
    r"evidenční číslo|evidenčné číslo",  # Czech and Slovak accounting programs
    r"\bč\. ?(?:faktúry|faktury|dokladu|dobropisu)|\bčís\. ?(?:faktúry|faktury|dokladu)|\bfakt\. ?č\.",
    r"poradové číslo dokladu(?:/účtu)?|^por\. číslo|^číslo(?=\s*[:/])|^number(?=\s*:)",
    _NUMBER_WORD,  # a whole cell
    r"rechnungs-?(?:nummer|nr\.?)|beleg-?(?:nummer|nr\.?)|gutschrifts-?(?:nummer|nr\.?)",
    r"n° de (?:facture|l'avoir)|numéro de (?:facture|l'avoir)|factuurnummer|factuurnr\.?",
    r"numero (?:fattura|documento)|fattura n\.|n\.\s?(?:documento|fattura)|számla ?sorszáma|számlaszám",
    r"sorszám|documentnummer|dokumentnummer|n° (?:de )?document|nr\.? dokumentu|document (?:no\.?|num\.)",
    r"numer faktury|nr faktury|número de factura|factura n(?:\.º|[º°.®])",
    r"^#(?=\s*[A-Z0-9])",  # "# INV-0042" under the title
)
# A reference number, the invoice's own only where nothing else numbers it ("Ref no:
# #INV-2025194" beside the title of a Node.js library's invoice): elsewhere it is the
# customer's order
REF_NUMBER = _compile(r"^ref(?:erence)?\.?\s?(?:no\.?|number|nr\.?)(?=\s*[:#]|\s*$)")
# The bare word as a whole cell: its value only right of it ("Nummer | FV/2026/03/166"); a
# column headed "Nr." holds line numbers.
NUMBER_WORD = _compile(_NUMBER_WORD)
# VAT summary lines under the items ("Total HT | 19 198,60", "TVA 20 % | 3 839,72"): which
# amounts are before VAT, which the tax itself.
NET = _compile(
    r"\bHT\b|\bnetto|\bneto\b|\bnettó\b|\bnet\b|\bexcl\b|\bexkl\b|\bohne\b|\bbez DPH\b|\bzáklad",
    r"\bimponibile\b|\bsubtot(?:al|aal|ale)\b|\bzwischensumme\b|\btax base\b|\bbase imponible\b",
    r"\btaxable (?:amount|value)\b|\bbemessungsgrundlage\b",
    r"\bexcluding (?:tax|VAT)\b|\bbefore tax\b|\bwithout (?:tax|VAT)\b|\bhors tax",
)
TAX_WORD = _compile(
    r"\b(?:VAT|TVA|BTW|IVA|ÁFA|MwSt|USt|DPH|PTU|tax|tax amount|umsatzsteuer|mehrwertsteuer|steuer)\b"
)
VS = _compile(
    r"variabiln(?:ý|í) (?:symbol|sym\.)|variable symbol|var\. ?symbol|\bVS\b|payment reference"
)
ISSUE = _compile(
    r"dátum vyhotovenia|dátum vystavenia|datum vystavení|dátum vyhot\.(?: a dodania)?|vystaven[éaáoý]",
    # abbreviated as programs print them in narrow columns: "Dát. vyhotovenia", "Datum vyst."
    r"dát(?:um|\.)\s*vyst(?:\.|avenia|avení)|dát\.\s*vyhot(?:\.|ovenia|ovení)|vyhotoven[éaáoý]\b",
    r"date of issue|issue date|invoice date|dátum a čas vyhotovenia|\bdátum:",  # not "Lieferdatum:"
    r"rechnungsdatum|beleg-?datum|rechnungs-datum|ausstellungsdatum|ausgestellt am|datum der rechnung",
    r"date de (?:la )?facture|date d'émission|date de l'avoir|factuurdatum|factuur datum|datum factuur",
    r"data (?:fattura|emissione|documento)|számla kelte|kiállítás dátuma|(?<!teljesítés )kelte|^kelt\b",
    r"data wystawienia|data wyst\.|fecha de (?:la )?factura|fecha de emisión|issued (?:at|on)",
    r"^issued(?=\s*:|\s*$)",
    r"date of exposure|den vystavení",  # InvoiceGenerator's English, and its Czech
    # "Rechnung # RE-1 von 21.01.2019", not "Ihr Schreiben vom 10.09.2013" nor "Version 2.6 vom …"
    # and "FATTURA N. 12/2025 del 15/03/2025", "Faktura nr 1/2025 z dnia 15.03.2025"
    rf"(?:{_DOC_WORD})\b[^\n]{{0,40}}?\d\S*\s+(?:vo[mn]|del|du|z dnia|de fecha)\b"
    r"(?=\s*\d{1,2}[./-]\s?\d{1,2}[./-]\s?\d{2,4})",
    r"^\s*(?:date|datum|data|fecha)\s*:?\s*$",  # whole cell: the bare word
    r"^vo[mn](?=\s*\d{1,2}\.\s?\d{1,2}\.\s?\d{4})",  # "Rechnung Nr. 1" broken before "vom 31.10.2018"
    r"^(?:date|datum)\s*:",  # "Date : 28/11/2022" at the start of a cell
)
DELIVERY = _compile(
    r"dátum dodania(?: tovaru| služby| tovaru/služby)?|DUZP|datum uskutečnění zdanitelného plnění",
    r"datum zdaň\. plnění|dátum zdaň\. plnenia|datum zdanitelného plnění|datum plnění|dátum zdaniteľného plnenia",
    r"datum uskutečnění (?:zdanitelného )?plnění|den uskutečnění (?:zdanitelného )?plnění",
    # "Datum zdanit. plnění", "Dat. uskut. zdan. plnění", "Dát. dodania", "DZP"
    r"dát(?:um|\.)\s*(?:uskut\.\s*)?(?:zdanit|zdaň|zd)\.\s*(?:plnění|plnenia|pl\.)",
    r"dát(?:um|\.)\s*uskut\.\s*(?:zdanitelného\s*)?plnění|dát(?:um|\.)\s*dod(?:\.|ania\b|ání\b)|\bDZP\b",
    r"dátum vzniku daňovej povinnosti|date of supply|supply date|delivery date|tax point(?: date)?",
    r"service date|date of service|date of delivery|^taxable date\b",
    r"dátum vyhot\. a dodania|dodané dňa|^dodané\b|datum dodání|dodáno dne|^dodáno\b",
    r"liefer-? ?(?:und rechnungs)?datum|leistungsdatum|liefer- und leistungsdatum|lieferdatum",
    r"leistungszeitraum|lieferzeitraum",
    r"date de livraison|date de (?:la )?prestation|leveringsdatum|leverdatum|data (?:di )?consegna",
    r"teljesítés dátuma|teljesítés kelte|data dostawy|data sprzedaży|fecha de entrega",
    r"fecha de (?:la )?operación|data (?:di )?spedizione",
)
DUE = _compile(
    r"dátum splatnosti|datum splatnosti|splatnosť|splatnost|splatné dňa|splatn[éáo] do\b|^splatno\b|due date|payment due",
    r"date due|płatne do|termin zapłaty|esedékesség|fizetés határideje|vervaldag|betaaltermijn",
    r"fälligkeitsdatum|fälligkeitstag|fälligkeit\b|fällig (?:am|bis|zum)|zahlbar bis|zahlungsziel",
    r"zahlbar (?:ohne|rein|netto|sofort)(?: \w+){0,2}? bis(?: zum)?",  # "Zahlbar ohne Abschlag bis"
    r"bitte überweisen sie (?:[^.\d]{0,40}?\s)?bis(?: zum| spätestens)?",
    r"zahlbar innerhalb [^,;]{0,30}?\bbis(?: zum)?|payable (?:with)?in [^,;]{0,30}?\bby",
    r"date d'échéance|échéance|à payer avant le|vervaldatum|uiterste betaaldatum|betalen vóór",
    r"data (?:di )?scadenza|scadenza|fizetési határidő|termin płatności|fecha de vencimiento",
    r"^vencimiento\b|dát(?:um|\.)\s*splat\.|^payback(?=\s*:)",
    r"please (?:pay|remit) (?:until|by)|^pay(?:able)? by\b",
)
ROUNDING = _compile(
    r"zaokrúhlenie|zaokrouhlení|haléřové vyrovnání|\brounding\b|\brundung\b|arrondi"
)
ADVANCES = _compile(
    # Slovak and Czech: "Uhradené zálohou", "Uhrazeno zálohou", "Odečet zálohy", "Zaplacené zálohy"
    r"(?:uhraden[éáoý]|uhrazen[éáoý]|zaplaten[éáoý]|zaplacen[éáoý]|odpočet|odečet|zúčtovan[éáoý]"
    r"|zúčtován[oaí]?) (?:záloh(?:ou|y|ami|a|ov)?|preddavk(?:om|y|ami|u|ov)?)",
    r"uhradená záloha|uhrazená záloha|advance paid|prepaid amount",
    r"less advance|bereits gezahlt|anzahlung|acompte versé|déjà payé|reeds betaald|vooruitbetaald bedrag",
    r"deposit paid|less deposit|deposit received|paid in advance|advance payment received",
    r"bereits bezahlt|geleistete anzahlung|betaalde aanbetaling|min aanbetaling|acconto versato",
    r"anticipo versato|acconto ricevuto",
    r"zapłacona zaliczka|zaliczka zapłacona|pobrana zaliczka|fizetett előleg|levont előleg",
)
# The amount asked for, strongest labels first. The bare words only as a whole cell (with a
# currency at most): "Cena celkem" or "Total" head table columns, they are no total.
_NOT_NET = (
    r"(?!\s*\(?(?:netto|net\b|nett\b|ht\b|excl|ohne|sans|zonder|bez\b|bez dph|bez DPH"
    r"|(?:der )?(?:zu|ab)schläge|(?:der )?rabatte|of (?:allowances|charges|discounts)))"
)


def _total(*alternatives: str) -> re.Pattern[str]:
    """A total label not followed by a word saying the amount is before VAT."""
    return re.compile(_lenient(f"(?:{'|'.join(alternatives)}){_NOT_NET}"), NOCASE)


# the bare word, then the label's end: a currency, a colon, the cell's end or the amount
_BARE_TOTAL = r"(?:celkom|celkem|spolu|total|totaal|totale|gesamt|summe|összesen|razem)"
_BARE_END = (
    r"(?:\s*\(?(?:€|EUR|CZK|USD|GBP|CHF|PLN|HUF)\)?)?"
    r"(?:\s*:?\s*$|\s*:\s*(?=[-−]?\s*(?:€|\$|£|EUR|CZK|Kč)?\s*\d[\d\s.,]*(?:,-)?\s*(?:€|EUR|CZK|Kč|\$|£)?\s*$))"
)
TOTALS: tuple[re.Pattern[str], ...] = (
    _total(
        r"spolu na úhradu|suma na úhradu|celkom na úhradu|celkom k úhrade|celkem k úhradě|k úhrade|k úhradě",
        r"^\s*na úhradu\b",
        r"zostáva uhradiť|k zaplateniu|k zaplacení|zbývá uhradit|zostáva zaplatiť|zbývá zaplatit",
        r"čiastka na úhradu|čiastka k úhrade|k platbě|k platbe",
        r"offener betrag|restbetrag|noch zu zahlen|amount outstanding|outstanding amount|solde dû",
        r"^residual\b|remaining balance|amount remaining|reste dû|solde à payer",
        r"total due|amount due|total to pay|balance due|amount payable|total payable|due payable",
        r"zu zahlen(?:der betrag)?|zahlbetrag|zahlungsbetrag|gesamtbetrag|rechnungsbetrag|endbetrag",
        r"net à payer|montant à payer|reste à payer|total à payer|te betalen|totaal te betalen",
        r"totale da pagare|importo da pagare|fizetendő(?: összeg)?|do zapłaty|razem do zapłaty",
        r"należność ogółem|kwota należności|należność do zapłaty",
        r"total a pagar|importe a pagar|total factura|total de la factura|importe total",
    ),
    _total(
        r"\bsuma\b|celková suma|celková částka|grand total|total amount|invoice total",
        r"total ttc|montant ttc|totaal incl\.? btw|factuur totaal|totale documento|totale fattura",
        r"bruttó összesen|wartość brutto|razem brutto",
        r"bruttobetrag|summe brutto|gesamtsumme|rechnungssumme|total brutto",
        r"sum \(gross\)|total \(gross\)|summe \(brutto\)|gesamtsumme \(brutto\)",
        r"celková cena (?:s dph|vrátane dph|včetně dph)|cena celk(?:om|em) (?:s dph|vrátane dph|včetně dph)",
    ),
    _total(
        rf"^\s*{_BARE_TOTAL}"
        r" (?:s dph|vrátane dph|včetně dph|incl\.? vat|inkl\.? mwst\.?|with (?:tax|vat)|incl\.? tax)"
        rf"{_BARE_END}"
    ),
    _total(rf"^\s*{_BARE_TOTAL}{_BARE_END}"),
)
# How many of the last tiers are the bare words, which also head columns or sum a recap's row
WEAK_TOTALS = 2

# Column heads that can only mean the amount to pay (never a line item's amount): a summary
# table's last column, its last row the sum of the rows above ("… | MwSt-% | Endbetrag").
PAYABLE_COLUMN = _compile(
    r"^(?:endbetrag|zahlbetrag|zu zahlen|amount due|total due|k úhrade|k úhradě|na úhradu)$",
    r"^(?:net à payer|te betalen|da pagare|do zapłaty|fizetendő)$",
)

# What an advance tax document documents: the payment received (its total, by the contract).
PAYMENT_RECEIVED = _compile(
    r"prijatá platba(?: celkom)?|přijatá platba(?: celkem)?|prijatá záloha|přijatá záloha",
    r"uhradená platba|zaplatená záloha|payment received|amount received|amount paid",
    r"erhaltene (?:anzahlung|zahlung)|acompte reçu|ontvangen (?:betaling|aanbetaling)",
)

# ---- parties: a header is the label alone, or followed by ":" or a translation
# ("Dodávateľ / Supplier"); a company called "Odběratel 1" or "Supplier Ltd" is a name.
# Not headers: "Vystavil" (who wrote it), bare "From"/"To" (e-mail-like), ship-to addresses.

SUPPLIER = _compile(
    r"^(?:dodávateľ|dodavatel|predávajúci|prodávající|supplier|seller|vendor|sold by|poskytovateľ"
    r"|poskytovatel|lieferant|verkäufer|rechnungssteller|rechnungsersteller|rechnungsaussteller|auftragnehmer|fournisseur|vendeur|émetteur"
    r"|leverancier|verkoper|fornitore|cedente|prestatore|eladó|szállító|kibocsátó|sprzedawca"
    r"|sprzedający|dostawca|wystawca|proveedor|vendedor|emisor|issuer|bill from|from|verkauft von|vendu par"
    r"|verkocht door|venduto da|vystavovateľ|vystavovatel|zhotoviteľ|zhotovitel|provider)"
    # what it supplies or its other name after it: "Dodávateľ tovaru", "Dodávateľ - predávajúci"
    r"(?:\s*[-–(]?\s*(?:tovaru|služby|služieb|zboží|služeb|predávajúci|prodávající)\)?)?"
    r"\s*(?=[:/]|$)"
)
CUSTOMER = _compile(
    r"^(?:odberateľ|odběratel|kupujúci|kupující|customer|buyer|bill to|billed to|invoice to|sold to"
    r"|billing address|príjemca|objednávateľ|objednatel|fakturačná adresa|fakturační adresa"
    r"|rechnungsempfänger|rechnungsadresse|kunde|käufer|auftraggeber|client|acheteur|facturé à|adresse du client"
    r"|adresse de facturation|adressé à|klant|koper|factuuradres|cliente|cessionario|committente"
    r"|destinatario|vevő|vásárló|megrendelő|nabywca|kupujący|odbiorca|płatnik|comprador|an|aan"
    r"|rechnung an|invoiced to|issued to|bill-to|factuur aan|fatturato a|fattura a"
    r"|zákazník|adresát|platiteľ|plátca|plátce)"
    # "Odběratel - fakturační adresa", "Odberateľ (fakturačná adresa)", "Príjemca faktúry"
    r"(?:\s*[-–(]?\s*(?:fakturačná adresa|fakturační adresa|faktúry|faktury|kupujúci|kupující)\)?)?"
    r"\s*(?=[:/]|$)"
)

# A delivery address stands beside the customer's and is no party of the invoice.
SHIP_TO = _compile(
    r"^(?:ship to|shipping address|delivery address|deliver to|lieferadresse|lieferanschrift"
    r"|adresse de livraison|livré à|afleveradres|leveradres|indirizzo di consegna|szállítási cím"
    r"|adres dostawy|dirección de envío|dodacia adresa|doručovací adresa|miesto dodania"
    r"|místo dodání|konečný príjemca|konečný příjemce|miesto určenia|místo určení|adresa dodania"
    r"|dodací adresa|doručovacia adresa|adresa doručení|adresa doručenia"
    r"|abweichender (?:waren|zahlungs)empfänger|warenempfänger|zahlungsempfänger|payee"
    r"|représentant fiscal|tax representative|fiskální zástupce)\s*(?=[:/]|$)"
)
# Lines that carry no name: a salutation, a GLN, a customer or supplier number before it.
NAME_NOISE = re.compile(
    r"^(?:(?:herrn?|frau|mr\.?|mrs\.?|ms\.?|mme\.?)\s+"
    r"|GLN\s*:?\s*\d{13}\s*|(?:lief|kunden|kd|client|customer)[- ]?(?:nr|no)\.?\s*:?\s*[\w/-]+\s*)+",
    NOCASE,
)

# A label whose value is the party's name ("Name: | Lieferant GmbH").
NAME_LABEL = _compile(
    r"^(?:name|firma|company|company name|název|názov|obchodné meno|obchodní firma|raison sociale"
    r"|nom|naam|bedrijfsnaam|ragione sociale|denominazione|nazwa|név|cégnév)\s*:\s*$"
)
# The currency a document is in, by its label: "Währung: GBP", "Currency: USD".
CURRENCY = _compile(
    r"^(?:rechnungs)?währung\b|^currency\b|^mena\b|^měna\b|^devise\b|^valuta\b|^waluta\b"
    r"|^pénznem\b|^moneda\b"
)
# Cells that are a field's label or a page's furniture, never a party's name.
NOT_A_NAME = _compile(
    r"^(?:kunden-?(?:nummer|nr\.?)|customer (?:no\.?|number|id)|client (?:no\.?|number)|n° client"
    r"|account (?:no\.?|number|id)|order (?:no\.?|number|id|date|#)|bestell-?(?:nummer|nr\.?|datum)"
    r"|auftrags-?(?:nummer|nr\.?)|vertrags-?(?:nummer|nr\.?)|contract (?:no\.?|number)"
    r"|numéro client|klantnummer|klantnr\.?|zákaznícke číslo|zákaznické číslo|číslo zákazníka"
    r"|seite|page|strana|bemerkung(?:en)?|hinweis(?:e)?|notes?|poznámka|remarques?|opmerking(?:en)?"
    r"|betreff|referenz|reference|your reference|beträge in|amounts in|contact|kontakt"
    r"|buyer contact(?: name)?|seller contact(?: name)?|ansprechpartner|bearbeiter|vystavil|vyhotovil)\b"
)

# How the document is to be paid: a fact's label, never a party's name.
PAYMENT_METHOD = _compile(
    r"forma úhrady|spôsob (?:platby|úhrady)|způsob (?:platby|úhrady)|forma platby",
    r"zahlungs(?:weise|art|bedingungen|ziel)|payment (?:method|terms)|terms of payment",
    r"^payment(?=\s*:|\s*$)",
    r"mode de (?:paiement|règlement)|conditions de paiement|betaalwijze|betalingsvoorwaarden",
    r"modalità di pagamento|fizetési mód|sposób płatności|forma płatności|forma de pago",
)

# "Company, Contact Person" (Odoo prints a customer so): the company is the name. Not when
# what follows the comma is a legal form ("Firma, s.r.o.", "Acme, Inc.").
CONTACT_AFTER_COMMA = re.compile(
    r"^(?P<company>[^,]{2,}),\s+(?!.*\b(?:s\.\s?r\.\s?o|a\.\s?s|spol|k\.\s?s|v\.\s?o\.\s?s|gmbh|ag|kg"
    r"|ltd|inc|llc|plc|sarl|sas|sa|bv|nv|srl|spa|kft|zrt|sp\.\s?z)\b)"
    r"[A-ZÁ-Ž][a-zá-ž]+(?:\s+[A-ZÁ-Ž][a-zá-ž]+)+$"
)

# A company's legal form: what makes a line a company's name rather than a title or a street.
LEGAL_FORM = re.compile(
    r"(?:\bs\.\s?r\.\s?o\.|\bspol\.\s?s\s?r\.\s?o\.|\ba\.\s?s\.|\bk\.\s?s\.|\bv\.\s?o\.\s?s\."
    r"|\bGmbH\b|\bAG\b|\bKG\b|\bLtd\b\.?|\bLimited\b|\bInc\b\.?|\bLLC\b|\bplc\b|\bSARL\b|\bSAS\b"
    r"|\bS\.A\.|\bB\.V\.|\bN\.V\.|\bS\.r\.l\.|\bS\.p\.A\.|\bKft\.|\bZrt\.|\bsp\.\s?z\s?o\.\s?o\."
    r"|\be\.\s?K\.|\bDAC\b|\bOG\b|\be\.\s?U\.|\bS\.\s?[àa]?\.?\s?r\.?\s?l\.|\bSàrl\b|\bS\.A\.R\.L\."
    r"|\bS\.L\.U\.|\bS\.C\.S\.|\bsp\.\s?j\.|\bs\.c\.|\bBt\.|\bS\.n\.c\."
    # written without dots, in their case only ("sa", "se" are Slovak and French words)
    r"|(?-i:\bSA\b|\bSE\b|\bSRL\b|\bSpA\b|\bBV\b|\bNV\b|\bKft\b|\bZrt\b|\bS\.L\.))",
    NOCASE,
)

# The issuer's legal footer: registration and capital lines under the company's name.
LEGAL_FOOTER = re.compile(
    r"siège social|au capital|\bR[CS]S\b|\bSIRE[NT]\b|registered office|company (?:no\.?|number)"
    r"|registered in england|handelsregister|amtsgericht|\bHRB\b|geschäftsführ|sitz der gesellschaft"
    r"|obchodn(?:om|ém) regist|zapísan[áý] v|zapsan[áý] v|spisová značka|\bKvK\b|handelsregister"
    r"|registro (?:delle )?imprese|cégjegyzék|\bKRS\b",
    NOCASE,
)

# ---- identifiers, by their labels (values are checked by their check digits elsewhere)

_ICO_LABEL = (
    r"\b(?:IČO|IČ|ICO|company id|reg\. ?no\.?|registration no\.?|IR(?=\s*:)"
    r"|(?<!daňové )identifikačné číslo(?! pre)|(?<!daňové )identifikační číslo(?! pro))"
)
_ICO_VALUE = r"(\d[\d ]{5,10}\d)"
_DIC_LABEL = r"\b(?:DIČ|DIC|tax id|daňové identifikačné číslo|daňové identifikační číslo)"
_DIC_VALUE = r"((?:CZ|SK)?\s?\d{8,10})\b"
_IC_DPH_LABEL = (
    r"\b(?:IČ ?(?:pre |pro )?DPH|IC ?(?:pre |pro )?DPH|identifikačné číslo pre DPH|VAT[- ]ID|VAT No\.?|VAT number|VAT(?=\s*:)|TVA(?=\s*:)|IVA(?=\s*:)|VAT in(?=\s*:)"
    r"|VAT reg\.? ?no\.?|VAT registration no\.?|USt-?Id(?:Nr)?\.?|USt\.?-?ID-?Nr\.?"
    r"|USt\.?-?Id(?:ent)?\.?-?nr\.?|UID(?:-?Nr\.?)?|N° TVA|TVA intracom(?:munautaire|\.)?"
    r"|n° de TVA|BTW[- ]?(?:nummer|nr\.?|id)?|P\. ?IVA|partita IVA|közösségi adószám"
    r"|EU[- ]adószáma?|NIP(?: UE)?|VAT UE|NIF(?:-IVA)?|CIF)"
    r"(?:\s+(?:client|du client|klant|cliente|kunde|nabywcy|customer|acquirente))?"
)
_IC_DPH_VALUE = r"([A-Z]{2}\s?(?=(?:[A-Z ]*\d){6})[0-9A-Z][0-9A-Z ]{7,13})\b"
# The labels as OCR reads them too ("UStld-Nr.", "DlČ"): `_lenient`
_ICO_LABEL, _DIC_LABEL, _IC_DPH_LABEL = map(_lenient, (_ICO_LABEL, _DIC_LABEL, _IC_DPH_LABEL))
# Label and value in one cell ("IČO: 12345678"); group 1 is the value.
ICO = re.compile(rf"{_ICO_LABEL}\s*:?\s*{_ICO_VALUE}", NOCASE)
DIC = re.compile(rf"{_DIC_LABEL}\s*:?\s*{_DIC_VALUE}", NOCASE)
IC_DPH = re.compile(rf"{_IC_DPH_LABEL}\s*:?\s*{_IC_DPH_VALUE}", NOCASE)
# A label ending its cell, and the whole value of another cell (right of it or under it:
# a row of labels over a row of values), or its first part before a footer's bullet (a
# footer line broken after "IČ DPH:", "SK2027456706 · Zapísaná v …" the next)
IDENTIFIERS: dict[str, tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]] = {
    key: (
        whole,
        re.compile(rf"{label}\s*:?\s*$", NOCASE),
        re.compile(rf"^\s*:?\s*{value}(?:\s*$|\s+[·•●|]\s)", NOCASE),
    )
    for key, whole, label, value in (
        ("ico", ICO, _ICO_LABEL, _ICO_VALUE),
        ("dic", DIC, _DIC_LABEL, _DIC_VALUE),
        ("ic_dph", IC_DPH, _IC_DPH_LABEL, _IC_DPH_VALUE),
    )
}
IBAN = re.compile(r"\bIBAN\b", NOCASE)

# Two or three identifiers under one label, their values parted the same way ("IČO/DIČ:
# 35790326/2020104735", "DIČ / IČ DPH: 2020104735 / SK2020104735"): `ids_apart` writes each
# under its own label, so that no pattern reads one label's value as another's.
_ANY_ID_LABEL = f"(?:{_IC_DPH_LABEL})|(?:{_ICO_LABEL})|(?:{_DIC_LABEL})"
_ID_SHAPE = r"(?:[A-Z]{2}\s?)?\d[\d ]{5,12}\d"
_PAIRED_IDS = re.compile(
    rf"((?:{_ANY_ID_LABEL})(?:\s*/\s*(?:{_ANY_ID_LABEL})){{1,2}})\s*:\s*"
    rf"({_ID_SHAPE}(?:\s*/\s*{_ID_SHAPE}){{0,2}})\b",
    NOCASE,
)
_ID_LABELS = (("ic_dph", _IC_DPH_LABEL), ("ico", _ICO_LABEL), ("dic", _DIC_LABEL))
_ID_WORD = {"ico": "IČO", "dic": "DIČ", "ic_dph": "IČ DPH"}


def _id_key(label: str) -> str | None:
    return next((k for k, p in _ID_LABELS if re.fullmatch(p, label.strip(), NOCASE)), None)


def _shaped_key(value: str, keys: list[str]) -> str | None:
    """Which of the label's identifiers a value alone is, by its shape: a country's letters
    make a VAT id (a Czech DIČ under "IČ/DIČ"), eight digits an IČO, nine or ten a DIČ."""
    digits = value.replace(" ", "")
    if digits[:2].isalpha():
        return "ic_dph" if "ic_dph" in keys else "dic" if "dic" in keys else None
    key = "ico" if len(digits) <= 8 else "dic"
    return key if key in keys else None


def ids_apart(text: str) -> str:
    """`text` with identifiers sharing a label written each under its own; a value alone
    under two labels goes to the one its shape says, or to none."""
    if "/" not in text:
        return text

    def apart(m: re.Match[str]) -> str:
        keys = [_id_key(label) for label in re.split(r"\s*/\s*", m.group(1))]
        values = re.split(r"\s*/\s*", m.group(2))
        if None in keys:
            return m.group(0)
        known = [k for k in keys if k is not None]
        if len(values) == 1:
            key = _shaped_key(values[0], known)
            pairs = [(key, values[0])] if key else []
        elif len(values) == len(known):
            pairs = list(zip(known, values, strict=True))
        else:
            pairs = []  # which value is whose is not said
        return "  ".join(f"{_ID_WORD[k]}: {v}" for k, v in pairs) or m.group(1)

    return _PAIRED_IDS.sub(apart, text)
