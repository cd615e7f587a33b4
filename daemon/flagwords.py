"""Review flags in the words of the people who read them: Slovak by default, English too."""

from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {
    "edited_after_issue": (
        "Upravený po vystavení: rovnaký dodávateľ, typ a číslo ako skorší doklad, iný obsah",
        "Edited after issue: same issuer, type and number as an earlier document, other content",
    ),
    "missing_fields": (
        "Chýbajú údaje, ktoré sa nepodarilo spoľahlivo prečítať",
        "Fields could not be read with confidence",
    ),
    "supplier_ico_mismatch": (
        "Odoslaný doklad nevystavil klient (IČO dodávateľa)",
        "An outgoing document not issued by the client",
    ),
    "customer_ico_mismatch": (
        "Prijatý doklad nie je adresovaný klientovi (IČO odberateľa)",
        "An incoming document not addressed to the client",
    ),
    "misrouted": (
        "Patrí do inej schránky alebo inému klientovi",
        "Belongs to another mailbox or client",
    ),
    "series_mismatch": (
        "Číslo nezodpovedá číselnému radu klienta",
        "The number is outside the client's series",
    ),
    "totals_inconsistent": (
        "Suma nesedí so súčtom základov a DPH",
        "The total does not match the VAT rows",
    ),
    "invalid_ico": ("IČO nemá platnú kontrolnú číslicu", "An IČO fails its check digit"),
    "invalid_ic_dph": ("IČ DPH nemá platnú kontrolnú číslicu", "A VAT id fails its check digits"),
    "invalid_iban": ("IBAN nie je platný", "The IBAN fails its check"),
    "receipt_over_limit": (
        "Bloček nad 400 € s DPH (nestačí na odpočet DPH)",
        "A receipt over 400 € with VAT",
    ),
    "no_document": ("V správe nie je žiadny doklad", "No document in the message"),
    "unreadable_pdf": (
        "PDF sa nedá prečítať (poškodené alebo zaheslované)",
        "The PDF cannot be read (damaged or encrypted)",
    ),
    "no_text_layer": ("PDF nemá textovú vrstvu (sken)", "The PDF has no text layer (a scan)"),
    "unknown_recipient": (
        "Správa pre adresu, ktorá nepatrí žiadnemu klientovi",
        "Sent to an address no client owns",
    ),
    "processing_failed": ("Spracovanie opakovane zlyhalo", "Processing kept failing"),
    "message_too_large": (
        "Správa je príliš veľká, zostala v schránke",
        "Too large; left in the mailbox",
    ),
    "structured_mismatch": (
        "Elektronická faktúra nesúhlasí s tlačou",
        "The e-invoice disagrees with the print",
    ),
    "payment_qr_mismatch": (
        "QR kód platby nesúhlasí s tlačou",
        "The payment QR disagrees with the print",
    ),
}
LANGUAGES = ("sk", "en")


def words(flag: str, lang: str = "sk") -> str:
    sk, en = WORDS.get(flag, (flag, flag))
    return en if lang == "en" else sk


# The fields a flag is about, marked on the document page.
FIELDS_OF: dict[str, tuple[str, ...]] = {
    "totals_inconsistent": ("total",),
    "receipt_over_limit": ("total",),
    "series_mismatch": ("number", "doc_type"),
    "invalid_ico": ("supplier.ico", "customer.ico"),
    "invalid_ic_dph": ("supplier.ic_dph", "customer.ic_dph"),
    "invalid_iban": ("iban",),
    "supplier_ico_mismatch": ("supplier.ico",),
    "customer_ico_mismatch": ("customer.ico",),
    "payment_qr_mismatch": ("iban", "variable_symbol", "total", "due_date"),
    "structured_mismatch": ("number", "total", "supplier.ico", "customer.ico"),
}


def flagged_fields(flags: list[str]) -> set[str]:
    return {field for flag in flags for field in FIELDS_OF.get(flag, ())}
