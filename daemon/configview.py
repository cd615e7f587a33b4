"""What `check-config` prints: the configuration as understood, as JSON or as text.

The JSON (`check-config --format json`) is for scripts, e.g. generating a front MTA's list of
accepted recipients from every company's addresses (README, "A front MTA"). Secrets are never
printed, only where they live and whether this environment can see them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from daemon.config import Settings


def config_summary(s: Settings, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    smtp = s.smtp
    return {
        "path": str(s.path),
        "storage": {
            "database": s.storage.database,
            "files": str(s.storage.files),
            "spool": str(s.storage.spool),
        },
        "smtp": None
        if smtp is None
        else {
            "listen": f"{smtp.host}:{smtp.port}",
            "hostname": smtp.hostname,
            "max_message_bytes": smtp.max_message_bytes,
            "tls": "required" if smtp.require_tls else ("starttls" if smtp.tls_cert else "off"),
            "max_sessions": smtp.max_sessions,
            "max_sessions_per_ip": smtp.max_sessions_per_ip,
        },
        "processing": {"node": s.processing.node, "workers": s.processing.workers},
        "imap": [
            {
                "name": a.name,
                "host": a.host,
                "port": a.port,
                "security": a.security,
                "username": a.username,
                "folder": a.folder,
                "processed_folder": a.processed_folder,
                "poll_seconds": a.poll_seconds,
                "address": a.address,
                "secret": {
                    "key": a.password.where,
                    "source": a.password.name,
                    "visible": a.password.problem(environ) is None,
                },
            }
            for a in s.imap
        ],
        "companies": [
            {
                "name": c.name,
                "ico": c.ico,
                "dic": c.dic,
                "ic_dph": c.ic_dph,
                "addresses": {m.value: a for m, a in c.addresses.items()},
                "series": {d.value: p for d, p in c.series.items()},
            }
            for c in s.companies
        ],
        "missing_secrets": s.missing_secrets(environ),
        "unauthorised": s.unauthorised(),
    }


def render_config(summary: dict[str, Any]) -> str:
    lines = [f"configuration OK: {summary['path']}"]
    st = summary["storage"]
    lines.append(f"storage: {st['database']} (files {st['files']}, spool {st['spool']})")
    smtp = summary["smtp"]
    if smtp:
        tls = {"required": "STARTTLS required", "starttls": "STARTTLS", "off": "no TLS"}
        lines.append(
            f"smtp: {smtp['listen']} as {smtp['hostname']}, "
            f"max message {smtp['max_message_bytes']} bytes, {tls[smtp['tls']]}"
        )
    else:
        lines.append("smtp: off")
    proc = summary["processing"]
    lines.append(f"node: {proc['node']} ({proc['workers']} document workers)")
    lines.append(f"imap: {len(summary['imap'])} account(s)")
    for a in summary["imap"]:
        lines.append(
            f"  {a['name']}: {a['username']}@{a['host']}:{a['port']} ({a['security']}) "
            f"folder {a['folder']}, every {a['poll_seconds']:g} s"
            + (f", as {a['address']}" if a["address"] else "")
        )
    lines.append(f"companies: {len(summary['companies'])}")
    for c in summary["companies"]:
        addresses = ", ".join(f"{m}={a}" for m, a in c["addresses"].items())
        lines.append(f"  {c['name']} (IČO {c['ico']}): {addresses}")
    for problem in summary["missing_secrets"]:
        lines.append(f"not visible here, serve will need it: {problem}")
    for problem in summary["unauthorised"]:
        lines.append(problem)
    return "\n".join(lines)
