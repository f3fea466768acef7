"""Every UI string is translated in every language; the language follows the browser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from lunadc.model.access import Access
from lunadc.web import translations as tr
from lunadc.web.jsmessages import JS_MESSAGES

WEB = Path(tr.__file__).parent
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def ui_strings() -> set[str]:
    """Every msgid in the templates and Python modules of the UI, extracted as Babel does."""
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    options = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    found = {
        msg if isinstance(msg, str) else msg[0]
        for _file, _line, msg, _comments, _context in extract_from_dir(
            WEB, method_map, options, keywords={"_": None, "gettext": None, "N_": None}
        )
    }
    return found


def test_extraction_finds_the_ui() -> None:
    strings = ui_strings()
    assert "Search all nodes" in strings  # a template string
    assert set(JS_MESSAGES.values()) <= strings  # every string the browser code shows
    assert len(strings) > 100


@pytest.mark.parametrize("lang", [lang for lang in tr.LANGUAGES if lang.code != "en"])
def test_every_ui_string_is_translated(lang: tr.Language) -> None:
    with tr.po_path(lang).open("rb") as handle:
        catalog = read_po(handle)
    translated = {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(s for s in ui_strings() if s not in translated)
    assert not missing, f"{lang.code}: untranslated UI strings: {missing}"
    for msgid, text in translated.items():
        assert set(PLACEHOLDER.findall(msgid)) == set(PLACEHOLDER.findall(str(text))), msgid


def test_catalogs_load_and_translate() -> None:
    assert tr.translations("ru").gettext("Search") == "Поиск"
    assert tr.translations("zh_Hans").gettext("Search") == "搜索"
    assert tr.translations("en").gettext("Search") == "Search"


@pytest.mark.parametrize(
    ("header", "code"),
    [
        (None, "en"),
        ("", "en"),
        ("ru-RU,ru;q=0.9,en;q=0.8", "ru"),
        ("zh-CN,zh;q=0.9", "zh-Hans"),
        ("zh-Hans", "zh-Hans"),
        ("zh-TW", "en"),
        ("de-DE, ru;q=0.5, zh;q=0.7", "zh-Hans"),
        ("fr;q=1, *;q=0.1", "en"),
        ("ru;q=0, en", "en"),
        ("ru;q=bogus", "en"),
    ],
)
def test_accept_language(header: str | None, code: str) -> None:
    assert tr.negotiate(header).code == code


def test_browser_code_uses_only_known_messages() -> None:
    """A ``t("key")`` in the front-end without a translated message would show the raw key."""
    frontend = Path(__file__).resolve().parents[2] / "frontend" / "src"
    used = {
        key
        for source in frontend.glob("*.js")
        for key in re.findall(r"\bt\(\s*\"(\w+)\"", source.read_text(encoding="utf-8"))
    }
    assert len(used) > 30
    assert not used - set(JS_MESSAGES), f"keys missing in jsmessages.py: {used - set(JS_MESSAGES)}"
    # Keys built at run time: one per access level.
    assert {f"access_{a.value}" for a in Access} <= set(JS_MESSAGES)
