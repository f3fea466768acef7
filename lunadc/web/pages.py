"""The HTML pages: shells rendered in the viewer's language; the browser fills in the data.

Data comes from the PDS API with the user's token (kept in sessionStorage, sent as
``Authorization: Bearer``), so a page never holds more than its viewer may see.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from lunadc.node import Node
from lunadc.web import localefmt
from lunadc.web.jsmessages import translated
from lunadc.web.translations import LANGUAGES, Language, by_code, negotiate, translations

TEMPLATES = Path(__file__).with_name("templates")
LANG_COOKIE = "lunadc_lang"
# The UI loads nothing from any other host; the browser is told to refuse it too.
CSP = (
    "default-src 'self'; img-src 'self' blob: data:; style-src 'self' 'unsafe-inline'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True, slots=True)
class LanguageLink:
    code: str
    native_name: str
    href: str
    current: bool


@cache
def _environment(catalog: str, babel_locale: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(("html",)),
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(catalog), newstyle=True)  # type: ignore[attr-defined]
    env.filters["number"] = lambda v: localefmt.format_number(v, babel_locale)
    env.filters["datetime"] = lambda v: localefmt.format_datetime(v, babel_locale)
    return env


def choose_language(request: Request) -> Language:
    """``?lang=`` first (the switch), then the cookie it set, then Accept-Language."""
    for code in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        lang = by_code(code) if code else None
        if lang is not None:
            return lang
    return negotiate(request.headers.get("accept-language"))


def _links(request: Request, current: Language) -> list[LanguageLink]:
    links = []
    for lang in LANGUAGES:
        query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
        query.append(("lang", lang.code))
        href = f"{request.url.path}?{urlencode(query)}"
        links.append(LanguageLink(lang.code, lang.native_name, href, lang == current))
    return links


def render(request: Request, page: str, **extra: Any) -> HTMLResponse:
    node: Node = request.app.state.node
    lang = choose_language(request)
    env = _environment(lang.catalog, lang.babel_locale)
    config = {
        "page": page,
        "lang": lang.code,
        "node_id": node.node_id,
        "messages": translated(translations(lang.catalog)),
        "locale": localefmt.locale_data(lang.babel_locale),
        **extra,
    }
    html = env.get_template(f"{page}.html").render(
        page=page,
        lang=lang,
        languages=_links(request, lang),
        node_id=node.node_id,
        node_name=node.config.name,
        now=node.clock(),
        config=config,
        **extra,
    )
    response = HTMLResponse(html, headers={"Content-Security-Policy": CSP})
    response.headers["Content-Language"] = lang.code
    response.headers["Vary"] = "Accept-Language, Cookie"
    if request.query_params.get("lang") and by_code(request.query_params["lang"]):
        response.set_cookie(LANG_COOKIE, lang.code, max_age=365 * 86400, samesite="lax")
    return response


@router.get("/", response_class=HTMLResponse)
def search_page(request: Request) -> HTMLResponse:
    return render(request, "search")


@router.get("/ui/product/{identifier}", response_class=HTMLResponse)
def product_page(request: Request, identifier: str) -> HTMLResponse:
    return render(request, "product", identifier=identifier)


@router.get("/ui/signin", response_class=HTMLResponse)
def signin_page(request: Request) -> HTMLResponse:
    return render(request, "signin")


@router.get("/ui/operator", response_class=HTMLResponse)
def operator_page(request: Request) -> HTMLResponse:
    return render(request, "operator")


@router.get("/ui/operator/federation", response_class=HTMLResponse)
def federation_page(request: Request) -> HTMLResponse:
    return render(request, "federation")
