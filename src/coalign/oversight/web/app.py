"""The reviewer web app (FastAPI + server-rendered Jinja2 templates, no external assets).

Security model:

* Sign-in with argon2id-hashed passwords; the session is a signed cookie (Starlette's
  SessionMiddleware, itsdangerous) holding the user id and a CSRF token; it is HttpOnly,
  SameSite=Strict, and Secure when ``https_only``. Signing in replaces the session.
* Every POST carries the session's CSRF token in a form field (or ``X-CSRF-Token``), compared in
  constant time; a POST whose ``Origin`` names another site is refused as well.
* Every project URL checks membership (admins see all projects); items are looked up within
  the project named in the URL, so a reviewer never sees or touches another project's items.
* Reviews, final decisions and the audit log are append-only in the database; the app has no
  route that edits or deletes any of them.
* A strict Content-Security-Policy (scripts and styles from this server only, no inline code)
  and ``X-Frame-Options: DENY``; model and user text is always HTML-escaped by Jinja2.
"""

from __future__ import annotations

import hmac
import json
import secrets
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.middleware.sessions import SessionMiddleware

from coalign.oversight.accounts import (
    Forbidden,
    NotFound,
    OversightError,
    accessible_projects,
    audit,
    authenticate,
    can_access,
    get_project,
)
from coalign.oversight.db import Store
from coalign.oversight.models import Project, User
from coalign.oversight.reviews import (
    DuplicateReview,
    ItemClosed,
    QueueFilters,
    item_view,
    list_audit,
    next_item,
    queue,
    queue_facets,
    record_review,
)

HERE = Path(__file__).parent
PAGE_SIZE = 100
STATUS_CHOICES = ("todo", "escalated", "in_review", "adjudication", "final")

_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'"
)


# Served from here rather than a static file so the wheel needs no extra package-data pattern.
_FAVICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" '
    'rx="3" fill="#1f3a5f"/><path d="M4 8.5l2.5 2.5L12 5.5" stroke="#fff" stroke-width="2" '
    'fill="none"/></svg>'
)


class _Unauthenticated(Exception):
    """No valid session."""


def create_app(
    store: Store,
    *,
    secret_key: str | None = None,
    https_only: bool = False,
    session_max_age: int = 12 * 3600,
) -> FastAPI:
    """Build the app for ``store``. Without ``secret_key`` a random one is used, so sessions
    do not survive a restart (pass one, e.g. ``COALIGN_SECRET_KEY``, for that)."""
    app = FastAPI(title="coalign review", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key or secrets.token_urlsafe(32),
        session_cookie="coalign_session",
        max_age=session_max_age,
        same_site="strict",
        https_only=https_only,
    )
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters["pretty_json"] = lambda v: json.dumps(v, indent=2, ensure_ascii=False)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.state.store = store

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers["Content-Security-Policy"] = _CSP
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        if not request.url.path.startswith("/static"):
            response.headers["Cache-Control"] = "no-store"
        return response

    # ----- helpers -------------------------------------------------------------------------

    def csrf_token(request: Request) -> str:
        token = request.session.get("csrf")
        if not token:
            token = secrets.token_urlsafe(32)
            request.session["csrf"] = token
        return str(token)

    async def checked_form(request: Request) -> dict[str, str]:
        """The POSTed form, after the CSRF and Origin checks (403 when either fails)."""
        origin = request.headers.get("origin")
        # Our own forms always send this site's Origin; "null" (sandboxed frames, privacy
        # redirects) is refused too.
        if origin is not None and urlsplit(origin).netloc != request.url.netloc:
            raise HTTPException(403, "cross-site request refused")
        form = await request.form()
        sent = str(form.get("csrf_token") or request.headers.get("x-csrf-token") or "")
        expected = str(request.session.get("csrf") or "")
        if not expected or not sent or not hmac.compare_digest(sent, expected):
            raise HTTPException(403, "missing or invalid CSRF token; reload the page")
        return {k: str(v) for k, v in form.items()}

    def current_user(request: Request) -> User:
        uid = request.session.get("uid")
        if uid is None:
            raise _Unauthenticated()
        with store.session() as s:
            user = s.get(User, uid)
        if user is None or not user.active:
            request.session.clear()
            raise _Unauthenticated()
        return user

    def project_for(user: User, name: str) -> Project:
        try:
            project = get_project(store, name)
        except NotFound:
            raise HTTPException(404, "no such project") from None
        if not can_access(store, user, project):
            raise HTTPException(403, "you are not a member of this project")
        return project

    def render(request: Request, name: str, status_code: int = 200, **ctx: Any) -> HTMLResponse:
        ctx.setdefault("user", None)
        ctx["csrf"] = csrf_token(request)
        return templates.TemplateResponse(request, name, ctx, status_code=status_code)

    @app.exception_handler(_Unauthenticated)
    async def _unauth(request: Request, exc: _Unauthenticated) -> Response:
        if request.method == "GET":
            return RedirectResponse("/login?" + urlencode({"next": request.url.path}), 303)
        return PlainTextResponse("sign in first", status_code=401)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        return render(request, "error.html", status_code=exc.status_code, message=str(exc.detail))

    # ----- routes --------------------------------------------------------------------------

    @app.get("/favicon.ico")
    def favicon() -> Response:
        return Response(_FAVICON, media_type="image/svg+xml")

    @app.get("/healthz")
    def healthz() -> PlainTextResponse:
        return PlainTextResponse("ok")

    @app.get("/login", response_class=HTMLResponse)
    def login_page(request: Request, next: str = "/") -> HTMLResponse:
        return render(request, "login.html", next=_safe_next(next), error=None)

    @app.post("/login")
    async def login(request: Request) -> Response:
        form = await checked_form(request)
        username = form.get("username", "").strip()
        user = await run_in_threadpool(authenticate, store, username, form.get("password", ""))
        if user is None:
            await run_in_threadpool(_audit_login, store, username, False)
            return render(
                request,
                "login.html",
                status_code=401,
                next=_safe_next(form.get("next", "/")),
                error="Wrong username or password.",
            )
        await run_in_threadpool(_audit_login, store, username, True)
        # A fresh session (and CSRF token) on sign-in defeats session fixation.
        request.session.clear()
        request.session["uid"] = user.id
        request.session["csrf"] = secrets.token_urlsafe(32)
        return RedirectResponse(_safe_next(form.get("next", "/")), 303)

    @app.post("/logout")
    async def logout(request: Request) -> Response:
        await checked_form(request)
        request.session.clear()
        return RedirectResponse("/login", 303)

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request) -> HTMLResponse:
        user = current_user(request)
        return render(
            request, "projects.html", user=user, projects=accessible_projects(store, user)
        )

    @app.get("/p/{project}/queue", response_class=HTMLResponse)
    def queue_page(
        request: Request,
        project: str,
        benchmark: str = "",
        category: str = "",
        rule: str = "",
        status: str = "todo",
        page: int = 1,
        empty: int = 0,
    ) -> HTMLResponse:
        user = current_user(request)
        proj = project_for(user, project)
        if status not in STATUS_CHOICES and status != "":
            raise HTTPException(400, f"status must be one of {', '.join(STATUS_CHOICES)}")
        page = max(1, page)
        filters = QueueFilters(benchmark=benchmark, category=category, rule=rule, status=status)
        rows = queue(
            store, proj.name, user, filters, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE
        )
        return render(
            request,
            "queue.html",
            user=user,
            project=proj,
            rows=rows[:PAGE_SIZE],
            more=len(rows) > PAGE_SIZE,
            page=page,
            filters=filters,
            facets=queue_facets(store, proj.name),
            statuses=STATUS_CHOICES,
            empty=bool(empty),
            query=urlencode(
                {"benchmark": benchmark, "category": category, "rule": rule, "status": status}
            ),
        )

    @app.get("/p/{project}/next")
    def next_page(request: Request, project: str) -> Response:
        user = current_user(request)
        proj = project_for(user, project)
        nxt = next_item(store, proj.name, user)
        if nxt is None:
            return RedirectResponse(f"/p/{proj.name}/queue?empty=1", 303)
        return RedirectResponse(f"/p/{proj.name}/items/{nxt}", 303)

    @app.get("/p/{project}/items/{item_id}", response_class=HTMLResponse)
    def item_page(request: Request, project: str, item_id: int) -> HTMLResponse:
        user = current_user(request)
        proj = project_for(user, project)
        try:
            view = item_view(store, proj.name, item_id, user)
        except NotFound:
            raise HTTPException(404, "no such item in this project") from None
        except Forbidden as e:
            raise HTTPException(403, str(e)) from None
        can_review = (
            view.item.status in ("escalated", "in_review")
            and not any(r.kind == "review" for r in view.my_reviews)
            and view.n_reviews < proj.reviewers_per_item
        )
        can_adjudicate = (
            user.role in ("adjudicator", "admin")
            and view.item.status in ("escalated", "in_review", "adjudication")
            and not any(r.kind == "adjudication" for r in view.my_reviews)
            and (view.item.status == "adjudication" or not can_review)
        )
        return render(
            request,
            "item.html",
            user=user,
            project=proj,
            view=view,
            item=view.item,
            can_review=can_review,
            can_adjudicate=can_adjudicate,
            opened_at=f"{time.time():.3f}",
        )

    @app.post("/p/{project}/items/{item_id}/review")
    async def submit_review(request: Request, project: str, item_id: int) -> Response:
        form = await checked_form(request)
        user = await run_in_threadpool(current_user, request)
        proj = await run_in_threadpool(project_for, user, project)
        spent: float | None = None
        try:
            spent = time.time() - float(form.get("opened_at", ""))
        except ValueError:
            spent = None
        try:
            review = await run_in_threadpool(
                lambda: record_review(
                    store,
                    item_id,
                    user,
                    form.get("decision", ""),
                    corrected_response=form.get("corrected_response") or None,
                    comment=form.get("comment") or None,
                    time_spent_s=spent,
                    project=proj.name,
                    adjudication=form.get("adjudicate") == "1",
                    via="web",
                )
            )
        except NotFound:
            raise HTTPException(404, "no such item in this project") from None
        except Forbidden as e:
            raise HTTPException(403, str(e)) from None
        except (DuplicateReview, ItemClosed) as e:
            raise HTTPException(409, str(e)) from None
        except OversightError as e:
            raise HTTPException(400, str(e)) from None
        response = RedirectResponse(f"/p/{proj.name}/next", 303)
        response.headers["X-Review-Id"] = str(review.id)
        return response

    @app.get("/p/{project}/audit", response_class=HTMLResponse)
    def audit_page(request: Request, project: str) -> HTMLResponse:
        user = current_user(request)
        proj = project_for(user, project)
        if user.role != "admin":
            raise HTTPException(403, "only admins can read the audit log")
        return render(
            request,
            "audit.html",
            user=user,
            project=proj,
            entries=list_audit(store, proj.name, limit=500),
        )

    return app


def _safe_next(target: str) -> str:
    """Only same-site absolute paths are allowed as redirect targets (no open redirect)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _audit_login(store: Store, username: str, ok: bool) -> None:
    with store.write() as s:
        audit(s, "login.ok" if ok else "login.failed", actor=username[:100])
