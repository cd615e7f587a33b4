"""`podatelna web`: the office's review page and its JSON API (CONTRACT "The review page").

One Starlette app reading and writing the inbox through `storage`, with the rules of the CLI
(`Store.resolve`, `daemon.corrections.correct`): pages and API share every operation. Pages
are Jinja2 templates with autoescaping (document text never runs as code), a strict
Content-Security-Policy (no inline script; the keyboard shortcuts are a static file), and the
PDF pages shown as PNG images rendered in a bounded worker process, cached beside the
originals. Every page and API call needs a session (daemon.websession).
"""

from __future__ import annotations

import asyncio
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from daemon import flagwords
from daemon.config import Settings
from daemon.corrections import correct
from daemon.logs import get_logger
from daemon.report import build_report
from daemon.spool import backlog
from daemon.views import detail_json, document_json
from daemon.websession import (
    COOKIE,
    LoginThrottle,
    Session,
    Sessions,
    csrf_ok,
    password_ok,
    secret_key,
)
from daemon.workers import WorkerPool
from parsers.corrections import FIELDS, InvalidCorrection
from parsers.fields import REQUIRED as REQUIRED_FIELDS
from parsers.vocab import DocType, Mailbox, Status
from storage.store import DocumentRecord, ResolutionError, Store

HERE = Path(__file__).parent
_ID = re.compile(r"[0-9a-f]{16}")
WAITING = (Status.NEEDS_REVIEW.value, Status.EDITED_AFTER_ISSUE.value)
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
# Every correctable field has an input on the page; VAT rows are corrected through the API.
CORRECTABLE = tuple(f for f in FIELDS if f != "vat")
# What a document needs (parsers.fields.REQUIRED), by the inputs that hold it: shown as
# missing when empty ("supplier.id" is an IČO, or a VAT id for a foreign supplier).
REQUIRED = tuple(
    "supplier.ico" if name == "supplier.id" else name for name in REQUIRED_FIELDS[DocType.UNKNOWN]
)

Handler = Callable[[Request, Session], Awaitable[Response]]


PAGED = ("pdf", "image")  # kinds whose pages the review page shows as images


class Web:
    """The app's state: settings, store, render worker, sessions, templates."""

    def __init__(self, settings: Settings, store: Store, pool: WorkerPool) -> None:
        self.settings = settings
        self.store = store
        self.pool = pool
        key_file = settings.web.secret_key_file or settings.storage.files.parent / "web.key"
        self.sessions = Sessions(secret_key(key_file), settings.web.session_hours)
        self.throttle = LoginThrottle()
        self.templates = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(("html",), default=True),
        )
        self.templates.filters["words"] = flagwords.words
        self.log = get_logger()

    # ---- plumbing ---------------------------------------------------------------------------
    def page(self, request: Request, name: str, session: Session | None, **data: Any) -> Response:
        lang = request.query_params.get("lang") or request.cookies.get("lang") or "sk"
        lang = lang if lang in flagwords.LANGUAGES else "sk"
        html = self.templates.get_template(name).render(
            session=session, lang=lang, companies=self.settings.companies, **data
        )
        response = HTMLResponse(html)
        if request.query_params.get("lang") == lang:
            response.set_cookie("lang", lang, samesite="lax", httponly=True)
        return response

    def guarded(
        self, handler: Handler, api: bool, changes: bool = False
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            session = self.sessions.read(request.cookies.get(COOKIE))
            if session is None:
                if api:
                    return JSONResponse({"error": "login required"}, status_code=401)
                return RedirectResponse("/login", status_code=303)
            if changes:
                token = request.headers.get("x-csrf-token")
                if token is None and not api:
                    token = str((await request.form()).get("csrf_token") or "")
                if not csrf_ok(session, token):
                    self.log.warning("web_csrf_refused", user=session.user, path=request.url.path)
                    return JSONResponse({"error": "missing or wrong CSRF token"}, status_code=403)
            return await handler(request, session)

        return endpoint

    async def db(self, func: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.to_thread(func, *args)

    async def record(self, doc_id: str) -> DocumentRecord | None:
        if not _ID.fullmatch(doc_id):
            return None
        found: DocumentRecord | None = await self.db(self.store.document, doc_id)
        return found

    # ---- session ----------------------------------------------------------------------------
    async def login_form(self, request: Request) -> Response:
        return self.page(request, "login.html", None, error=None)

    async def login(self, request: Request) -> Response:
        form = await request.form()
        user = str(form.get("username") or "")[:100]
        password = str(form.get("password") or "")
        keys = (f"user:{user}", f"ip:{request.client.host if request.client else '-'}")
        await asyncio.sleep(self.throttle.delay(*keys))
        stored = await self.db(self.store.password_hash, user)
        if not await asyncio.to_thread(password_ok, stored, password):
            failures = self.throttle.failed(*keys)
            self.log.warning("web_login_failed", user=user, client=keys[1][3:], failures=failures)
            response = self.page(request, "login.html", None, error=True)
            response.status_code = 401
            return response
        self.throttle.succeeded(*keys)
        _, cookie = self.sessions.new(user)
        self.log.info("web_logged_in", user=user)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(
            COOKIE,
            cookie,
            max_age=self.sessions.max_age,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
        return response

    async def logout(self, request: Request, session: Session) -> Response:
        self.log.info("web_logged_out", user=session.user)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    async def api_session(self, request: Request, session: Session) -> Response:
        return JSONResponse({"user": session.user, "csrf_token": session.csrf_token})

    # ---- the API ------------------------------------------------------------------------------
    async def api_documents(self, request: Request, session: Session) -> Response:
        docs = await self.documents(request)
        return JSONResponse([document_json(d) for d in docs])

    async def api_document(self, request: Request, session: Session) -> Response:
        doc = await self.record(request.path_params["doc_id"])
        if doc is None:
            return JSONResponse({"error": "no such document"}, status_code=404)
        return JSONResponse(detail_json(doc))

    async def api_resolve(self, request: Request, session: Session) -> Response:
        body = await _json(request)
        if body is None:
            return JSONResponse({"error": "expected a JSON object"}, status_code=422)
        action, note = body.get("action"), body.get("note")
        if action not in ("resend", "accept", "reject") or not isinstance(note, str | None):
            return JSONResponse(
                {"error": "action must be resend, accept or reject"}, status_code=422
            )
        return await self.resolve(request.path_params["doc_id"], action, note, session, api=True)

    async def api_correct(self, request: Request, session: Session) -> Response:
        body = await _json(request)
        fields = body.get("fields") if body else None
        note = body.get("note") if body else None
        if not isinstance(fields, dict) or not isinstance(note, str | None):
            return JSONResponse({"error": 'expected {"fields": {…}, "note": …}'}, status_code=422)
        changes = {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in fields.items()}
        return await self.correct(request.path_params["doc_id"], changes, note, session, api=True)

    async def api_report(self, request: Request, session: Session) -> Response:
        since_text = request.query_params.get("since")
        try:
            since = date.fromisoformat(since_text) if since_text else None
        except ValueError:
            return JSONResponse({"error": "since: expected YYYY-MM-DD"}, status_code=422)
        return JSONResponse(await self.report(since))

    # ---- shared operations ------------------------------------------------------------------
    async def documents(self, request: Request) -> list[DocumentRecord]:
        q = request.query_params
        mailbox = q.get("mailbox") if q.get("mailbox") in {m.value for m in Mailbox} else None
        status = q.get("status") if q.get("status") in {s.value for s in Status} else None
        docs: list[DocumentRecord] = await self.db(
            lambda: self.store.documents(
                status=status, company=q.get("company") or None, mailbox=mailbox
            )
        )
        return docs

    async def resolve(
        self, doc_id: str, action: str, note: str | None, session: Session, api: bool
    ) -> Response:
        if await self.record(doc_id) is None:
            return JSONResponse({"error": "no such document"}, status_code=404)
        try:
            doc = await self.db(self.store.resolve, doc_id, action, note, session.user)
        except ResolutionError as exc:
            return JSONResponse({"error": str(exc)}, status_code=409)
        self.log.info(
            "document_resolved",
            document_id=doc_id,
            action=action,
            status=doc.status,
            by=session.user,
        )
        return (
            JSONResponse(detail_json(doc))
            if api
            else RedirectResponse(f"/documents/{doc_id}?done={action}", status_code=303)
        )

    async def correct(
        self, doc_id: str, changes: dict[str, str], note: str | None, session: Session, api: bool
    ) -> Response:
        if await self.record(doc_id) is None:
            return JSONResponse({"error": "no such document"}, status_code=404)
        try:
            doc = await self.db(
                correct, self.store, self.settings, doc_id, changes, note, session.user
            )
        except InvalidCorrection as exc:
            return JSONResponse({"error": str(exc), "field": exc.field}, status_code=422)
        except ResolutionError as exc:
            return JSONResponse({"error": str(exc)}, status_code=409)
        self.log.info(
            "document_corrected",
            document_id=doc_id,
            fields=sorted(changes),
            status=doc.status,
            by=session.user,
        )
        return (
            JSONResponse(detail_json(doc))
            if api
            else RedirectResponse(f"/documents/{doc_id}?done=correct", status_code=303)
        )

    async def report(self, since: date | None) -> dict[str, Any]:
        def build() -> dict[str, Any]:
            pending = backlog(self.settings.storage.spool)
            return build_report(
                self.store.documents(),
                self.settings.companies,
                self.store.imap_status(),
                pending,
                since,
                None,
                self.store.nodes(),
            )

        result: dict[str, Any] = await self.db(build)
        return result

    # ---- pages ------------------------------------------------------------------------------
    async def queue(self, request: Request, session: Session) -> Response:
        docs = await self.documents(request)
        if not request.query_params.get("status"):
            docs = [d for d in docs if d.status in WAITING and d.resolution is None]
        search = (request.query_params.get("q") or "").strip().casefold()
        if search:
            docs = [d for d in docs if search in _haystack(d)]
        counts = {
            "company": Counter(d.company or "-" for d in docs),
            "mailbox": Counter(d.mailbox or "-" for d in docs),
            "flag": Counter(f for d in docs for f in d.flags),
        }
        return self.page(
            request,
            "queue.html",
            session,
            docs=[document_json(d) for d in docs],
            counts=counts,
            query=dict(request.query_params),
        )

    async def document(self, request: Request, session: Session) -> Response:
        doc = await self.record(request.path_params["doc_id"])
        if doc is None:
            return self.page(request, "missing.html", session)
        pages = await self.page_count(doc)
        original = await self.record(doc.original_id) if doc.original_id else None
        waiting = [
            d.id
            for status in WAITING
            for d in await self.db(lambda s=status: self.store.documents(status=s))
            if d.resolution is None
        ]
        after = [i for i in waiting if i != doc.id]
        return self.page(
            request,
            "document.html",
            session,
            doc=detail_json(doc),
            original=detail_json(original) if original else None,
            pages=pages,
            correctable=CORRECTABLE,
            required=REQUIRED,
            flagged=flagwords.flagged_fields(list(doc.flags)),
            next_id=after[0] if after else None,
            done=request.query_params.get("done"),
            kind=doc.kind,
        )

    async def page_count(self, doc: DocumentRecord) -> int:
        """Pages of a PDF document: cached beside its page images, else counted by rendering
        the first page (which the page then shows from the cache)."""
        if doc.kind not in PAGED:
            return 0
        cached: int | None = await self.db(self.store.blobs.page_count, doc.sha256)
        if cached is not None:
            return cached
        data = await self.db(self.store.blobs.get, doc.sha256)
        rendered = await self.db(self.pool.render, data, 0)
        if rendered.png is not None:
            await self.db(self.store.blobs.put_page_image, doc.sha256, 0, rendered.png)
            await self.db(self.store.blobs.put_page_count, doc.sha256, rendered.pages)
        return int(rendered.pages)

    async def render(self, sha: str, data: bytes, page: int) -> bytes | None:
        rendered = await self.db(self.pool.render, data, page)
        if rendered.png is not None:
            await self.db(self.store.blobs.put_page_image, sha, page, rendered.png)
        return rendered.png  # type: ignore[no-any-return]

    async def page_image(self, request: Request, session: Session) -> Response:
        doc = await self.record(request.path_params["doc_id"])
        page = int(request.path_params["page"])
        if doc is None or doc.kind not in PAGED or page > 500:
            return Response(status_code=404)
        png = await self.db(self.store.blobs.page_image, doc.sha256, page)
        if png is None:
            png = await self.render(
                doc.sha256, await self.db(self.store.blobs.get, doc.sha256), page
            )
        if png is None:
            return Response(status_code=404)
        return Response(png, media_type="image/png")

    async def original(self, request: Request, session: Session) -> Response:
        doc = await self.record(request.path_params["doc_id"])
        if doc is None:
            return Response("no such document", status_code=404)
        sha = doc.message_sha256 if doc.kind == "message" else doc.sha256
        data = await self.db(self.store.blobs.get, sha)
        name = doc.filename or (
            f"{doc.id}.eml" if doc.kind == "message" else f"{doc.id}.{doc.kind}"
        )
        return Response(
            data,
            media_type="application/octet-stream",
            headers={"Content-Disposition": _attachment(name)},
        )

    async def report_page(self, request: Request, session: Session) -> Response:
        since_text = request.query_params.get("since")
        try:
            since = date.fromisoformat(since_text) if since_text else None
        except ValueError:
            since = None
        return self.page(
            request, "report.html", session, report=await self.report(since), since=since
        )

    async def page_resolve(self, request: Request, session: Session) -> Response:
        form = await request.form()
        action = str(form.get("action") or "")
        if action not in ("resend", "accept", "reject"):
            return JSONResponse(
                {"error": "action must be resend, accept or reject"}, status_code=422
            )
        return await self.resolve(
            request.path_params["doc_id"],
            action,
            str(form.get("note") or "") or None,
            session,
            api=False,
        )

    async def page_correct(self, request: Request, session: Session) -> Response:
        form = await request.form()
        doc = await self.record(request.path_params["doc_id"])
        if doc is None:
            return JSONResponse({"error": "no such document"}, status_code=404)
        current = document_json(doc)
        changes = {}
        for name in CORRECTABLE:
            if name in form:
                value = str(form[name]).strip()
                side, _, key = name.partition(".")
                old = (current[side] or {}).get(key) if key else current.get(name)
                if value != ("" if old is None else str(old)):
                    changes[name] = value
        return await self.correct(
            doc.id, changes, str(form.get("note") or "") or None, session, api=False
        )


def _haystack(d: DocumentRecord) -> str:
    f = d.fields
    sup = f.get("supplier") or {}
    return " ".join(
        str(x)
        for x in (
            f.get("number"),
            f.get("variable_symbol"),
            f.get("total"),
            sup.get("name"),
            sup.get("ico"),
            sup.get("ic_dph"),
        )
        if x
    ).casefold()


def _attachment(name: str) -> str:
    """A Content-Disposition that no file name can break: ASCII fallback, RFC 6266 / 5987."""
    ascii_name = unicodedata.normalize("NFKD", Path(name).name).encode("ascii", "ignore").decode()
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_name).strip("._") or "document"
    from urllib.parse import quote

    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(Path(name).name)}"


async def _json(request: Request) -> dict[str, Any] | None:
    try:
        body = await request.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def create_app(settings: Settings, store: Store, pool: WorkerPool) -> Starlette:
    web = Web(settings, store, pool)
    g = web.guarded
    routes = [
        Route("/login", web.login_form, methods=["GET"]),
        Route("/login", web.login, methods=["POST"]),
        Route("/logout", g(web.logout, api=False, changes=True), methods=["POST"]),
        Route("/api/session", g(web.api_session, api=True)),
        Route("/api/documents", g(web.api_documents, api=True)),
        Route("/api/documents/{doc_id}", g(web.api_document, api=True)),
        Route(
            "/api/documents/{doc_id}/resolve",
            g(web.api_resolve, api=True, changes=True),
            methods=["POST"],
        ),
        Route(
            "/api/documents/{doc_id}/correct",
            g(web.api_correct, api=True, changes=True),
            methods=["POST"],
        ),
        Route("/api/report", g(web.api_report, api=True)),
        Route("/", g(web.queue, api=False)),
        Route("/report", g(web.report_page, api=False)),
        Route("/documents/{doc_id}", g(web.document, api=False)),
        Route("/documents/{doc_id}/original", g(web.original, api=False)),
        Route("/documents/{doc_id}/pages/{page:int}.png", g(web.page_image, api=False)),
        Route(
            "/documents/{doc_id}/resolve",
            g(web.page_resolve, api=False, changes=True),
            methods=["POST"],
        ),
        Route(
            "/documents/{doc_id}/correct",
            g(web.page_correct, api=False, changes=True),
            methods=["POST"],
        ),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]

    return Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)])


class SecurityHeaders:
    """Every answer carries the security headers (CSP, no framing, no sniffing, no caching)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, with_headers)
