"""Number series of outgoing documents (`[company.series]`, contract "Conventions"):
`{YYYY}` four-digit year, `{YY}` two-digit year, `{NNNN}` a zero-padded sequence of that many
digits, `{N}` an unpadded sequence; everything else is literal."""

from __future__ import annotations

import re

_TOKEN = re.compile(r"\{(YYYY|YY|N+)\}")


def series_regex(pattern: str, year: int | None = None) -> re.Pattern[str]:
    """The pattern as a regex; with `year`, the year placeholders must be that year."""
    parts: list[str] = []
    pos = 0
    for m in _TOKEN.finditer(pattern):
        parts.append(re.escape(pattern[pos : m.start()]))
        placeholder = m.group(1)
        if placeholder == "YYYY":
            parts.append(f"{year:04d}" if year else r"\d{4}")
        elif placeholder == "YY":
            parts.append(f"{year % 100:02d}" if year else r"\d{2}")
        elif placeholder == "N":
            parts.append(r"\d+")
        else:
            parts.append(rf"\d{{{len(placeholder)}}}")
        pos = m.end()
    parts.append(re.escape(pattern[pos:]))
    return re.compile("".join(parts), re.IGNORECASE)


def follows(number: str, pattern: str, year: int | None = None) -> bool:
    return series_regex(pattern, year).fullmatch(number) is not None
