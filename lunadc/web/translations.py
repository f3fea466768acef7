"""UI languages: gettext catalogs (.po under ``i18n/``) and choosing one per request.

The Makefile compiles the catalogs to .mo with Babel; when a .mo is missing or older than its
.po (a fresh checkout), the .po is read directly, so the UI is never left untranslated.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

I18N_DIR = Path(__file__).with_name("i18n")
DOMAIN = "messages"


@dataclass(frozen=True, slots=True)
class Language:
    code: str  # BCP 47, as in <html lang> and Accept-Language
    catalog: str  # folder name under i18n/
    babel_locale: str  # for Babel's number and date formats
    native_name: str


LANGUAGES: tuple[Language, ...] = (
    Language("en", "en", "en", "English"),
    Language("ru", "ru", "ru", "Русский"),
    Language("zh-Hans", "zh_Hans", "zh_Hans_CN", "简体中文"),
)
DEFAULT = LANGUAGES[0]
_BY_CODE = {lang.code.lower(): lang for lang in LANGUAGES}


def by_code(code: str) -> Language | None:
    """The language for a code such as ``ru``, ``zh-Hans``, ``zh-CN`` or ``zh`` (None: not ours)."""
    tag = code.strip().lower().replace("_", "-")
    if tag in _BY_CODE:
        return _BY_CODE[tag]
    primary = tag.split("-", 1)[0]
    if primary == "zh":
        # Traditional-script tags are not Simplified Chinese; everything else is served zh-Hans.
        traditional = {"zh-hant", "zh-tw", "zh-hk", "zh-mo"}
        return None if any(tag.startswith(t) for t in traditional) else _BY_CODE["zh-hans"]
    return _BY_CODE.get(primary)


def _quality(part: str) -> float:
    for param in part.split(";")[1:]:
        name, _eq, value = param.strip().partition("=")
        if name == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


def negotiate(accept_language: str | None) -> Language:
    """The best of our languages for an Accept-Language header (English when none fits)."""
    if not accept_language:
        return DEFAULT
    ranked: list[tuple[float, int, Language]] = []
    for index, part in enumerate(accept_language.split(",")[:32]):
        tag = part.split(";", 1)[0]
        lang = by_code(tag) if tag.strip() not in ("", "*") else None
        quality = _quality(part)
        if lang is not None and quality > 0:
            ranked.append((-quality, index, lang))
    return min(ranked)[2] if ranked else DEFAULT


def po_path(lang: Language) -> Path:
    return I18N_DIR / lang.catalog / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(catalog: str) -> gettext.GNUTranslations:
    """The compiled catalog of a language (compiled in memory from its .po if needed)."""
    lang = next(lang for lang in LANGUAGES if lang.catalog == catalog)
    po = po_path(lang)
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as handle:
            return gettext.GNUTranslations(handle)
    import io

    with po.open("rb") as handle:
        parsed = read_po(handle, locale=lang.babel_locale)
    buffer = io.BytesIO()
    write_mo(buffer, parsed)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)
