"""Number series of outgoing documents (`[company.series]`, contract "Conventions"):
`{YYYY}` four-digit year, `{YY}` two-digit year, `{NNNN}` a zero-padded sequence of that many
digits, `{N}` an unpadded sequence; everything else is literal."""

from __future__ import annotations

import re

_TOKEN = re.compile(r"\{(YYYY|YY|N+)\}")


def series_regex(pattern: str, year: int | None = None) -> re.Pattern[str]:
    """The pattern as a regex with groups `year` and `seq` (the first of each); with `year`
    given, the year placeholders must be that year."""
    parts: list[str] = []
    named: set[str] = set()
    pos = 0
    for m in _TOKEN.finditer(pattern):
        parts.append(re.escape(pattern[pos : m.start()]))
        placeholder = m.group(1)
        if placeholder in ("YYYY", "YY"):
            digits = len(placeholder)
            group, body = "year", f"{year % 10**digits:0{digits}d}" if year else rf"\d{{{digits}}}"
        else:
            group, body = "seq", r"\d+" if placeholder == "N" else rf"\d{{{len(placeholder)}}}"
        parts.append(f"(?:{body})" if group in named else f"(?P<{group}>{body})")
        named.add(group)
        pos = m.end()
    parts.append(re.escape(pattern[pos:]))
    return re.compile("".join(parts), re.IGNORECASE)


def follows(number: str, pattern: str, year: int | None = None) -> bool:
    return series_regex(pattern, year).fullmatch(number) is not None


def parse_number(number: str, pattern: str) -> tuple[int | None, int] | None:
    """(year, sequence) of a number in the series, or None when it does not follow it."""
    found = series_regex(pattern).fullmatch(number)
    if found is None or found.groupdict().get("seq") is None:
        return None
    year = found.groupdict().get("year")
    full_year = (2000 + int(year) if len(year) == 2 else int(year)) if year else None
    return full_year, int(found.group("seq"))


def format_number(pattern: str, year: int | None, sequence: int) -> str:
    """The number the series gives to `sequence` in `year`."""

    def fill(m: re.Match[str]) -> str:
        placeholder = m.group(1)
        if placeholder == "YYYY":
            return f"{year or 0:04d}"
        if placeholder == "YY":
            return f"{(year or 0) % 100:02d}"
        return str(sequence) if placeholder == "N" else f"{sequence:0{len(placeholder)}d}"

    return _TOKEN.sub(fill, pattern)


def gaps_and_reuse(
    numbers: list[str], pattern: str, limit: int = 50
) -> dict[str, dict[str, list[str]]]:
    """Per year: numbers missing between the first and last seen, and numbers used twice."""
    by_year: dict[int | None, list[int]] = {}
    for number in numbers:
        parsed = parse_number(number, pattern)
        if parsed is not None:
            by_year.setdefault(parsed[0], []).append(parsed[1])
    out: dict[str, dict[str, list[str]]] = {}
    for year, seqs in sorted(by_year.items(), key=lambda kv: kv[0] or 0):
        seen = set(seqs)
        missing = [
            format_number(pattern, year, n)
            for n in range(min(seen), max(seen) + 1)
            if n not in seen
        ]
        reused = sorted(format_number(pattern, year, n) for n in seen if seqs.count(n) > 1)
        if missing or reused:
            out[str(year) if year else "-"] = {"missing": missing[:limit], "reused": reused}
    return out
