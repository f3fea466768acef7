"""The indexed shortcuts of search give exactly what the plain definitions give.

A name match beside a start-time range reads the terms index with the range folded in
(terms carry their product's start time); these tests compare it, on SQLite and
PostgreSQL, with the same filter worked out in Python over a catalog with several
missions per product, products without a start time, and hidden products. Cached hit
counts must follow ingests and access changes exactly.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable

import pytest

from lunadc.access import admin
from lunadc.catalog.search import SearchParams, search_products
from lunadc.catalog.search_cache import SearchCache
from lunadc.model.access import ANONYMOUS, Access, Viewer
from lunadc.model.product import NamedRef
from lunadc.model.times import canonical_time
from lunadc.node import Node
from tests.search.helpers import COLL, add, label

NOW = "2026-06-01T00:00:00.000000Z"
PARTNER = Viewer(name="p", partner=True)
MISSIONS = ("Chang'e 4", "Luna 25", "LRO")


@dataclasses.dataclass(frozen=True)
class Made:
    lidvid: str
    missions: tuple[str, ...]
    start: str | None
    access: str


def build(node: Node, count: int = 40, seed: int = 3) -> list[Made]:
    rng = random.Random(seed)
    made = []
    for n in range(count):
        missions = tuple(rng.sample(MISSIONS, rng.choice((1, 1, 2))))
        start = f"2020-0{rng.randint(1, 4)}-{rng.randint(10, 28)}T00:00:00Z"
        if n % 9 == 0:
            start = None
        elif n % 7 == 1:
            start = "2020-02-12T00:00:00Z"  # shared, for ``eq``
        access = "partner" if n % 5 == 0 else "public"
        lab = dataclasses.replace(
            label(f"{COLL}:p{n:03d}", start=start, mission=missions[0]),
            investigations=tuple(NamedRef(m) for m in missions),
        )
        add(node, lab, at=f"2026-01-01T00:{n // 60:02d}:{n % 60:02d}.000000Z", access=access)
        made.append(Made(lab.lidvid, missions, canonical_time(start), access))
    return made


def found(node: Node, q: str, viewer: Viewer = ANONYMOUS) -> tuple[set[str], int]:
    with node.engine.connect() as conn:
        result = search_products(conn, viewer, NOW, SearchParams(q=q, limit=1000))
    return {p.lidvid for p in result.products}, result.hits


# (q with {m} for the mission, the same filter in Python over (has the mission, start time))
CASES: list[tuple[str, Callable[[bool, str], bool]]] = [
    (
        'mission eq "{m}" and start_time ge "2020-02-01" and start_time lt "2020-04-01"',
        lambda has, s: has and "2020-02-01" <= s < "2020-04-01",
    ),
    (
        'mission eq "{m}" and start_time gt "2020-02-15T00:00:00Z"',
        lambda has, s: has and s > "2020-02-15T00:00:00.000000Z",
    ),
    (
        'start_time le "2020-03-01" and investigation eq "{m}"',
        lambda has, s: has and "" < s <= "2020-03-01T00:00:00.000000Z",
    ),
    (
        'mission eq "{m}" and start_time eq "2020-02-12T00:00:00Z"',
        lambda has, s: has and s == "2020-02-12T00:00:00.000000Z",
    ),
    # Not folded (a NOT, a ne, an OR group): the plain semantics, NULL start times included.
    (
        'mission eq "{m}" and not (start_time lt "2020-03-01")',
        lambda has, s: has and s >= "2020-03-01",
    ),
    ('mission ne "{m}" and start_time ge "2020-03-01"', lambda has, s: not has and s >= "2020-03"),
    (
        '(mission eq "{m}" or target eq "Mars") and start_time ge "2020-03-01"',
        lambda has, s: has and s >= "2020-03-01",  # no product here targets Mars
    ),
]


@pytest.mark.parametrize(("template", "keep"), CASES)
def test_name_and_start_range_match_the_plain_filter(
    node: Node, template: str, keep: Callable[[bool, str], bool]
) -> None:
    made = build(node)
    checked = 0
    for mission in (*MISSIONS, "luna 25", "nothing"):
        for viewer in (ANONYMOUS, PARTNER):
            want = {
                p.lidvid
                for p in made
                if keep(mission.lower() in (m.lower() for m in p.missions), p.start or "")
                and (p.access == "public" or viewer.partner)
            }
            q = template.replace("{m}", mission)
            assert found(node, q, viewer) == (want, len(want)), q
            checked += len(want)
    assert checked > 0  # the catalog does exercise the filter


def test_terms_carry_the_start_time_of_their_product(node: Node) -> None:
    made = build(node, count=12)
    from sqlalchemy import select

    from lunadc.catalog.tables import product_terms, products

    with node.engine.connect() as conn:
        rows = conn.execute(
            select(products.c.lidvid, product_terms.c.start_time).join(
                product_terms, product_terms.c.product_id == products.c.id
            )
        ).all()
    starts = {p.lidvid: p.start for p in made}
    assert rows and all(start == starts[lidvid] for lidvid, start in rows)


def test_cached_hits_follow_ingest_and_access_changes(node: Node) -> None:
    made = build(node, count=10)
    cache = SearchCache()
    q = 'mission eq "LRO" or mission eq "Luna 25" or mission eq "Chang\'e 4"'

    def hits(viewer: Viewer) -> int:
        with node.engine.connect() as conn:
            params = SearchParams(q=q, limit=0, facet_fields=("investigation",))
            return search_products(conn, viewer, NOW, params, cache=cache).hits

    public = sum(p.access == "public" for p in made)
    assert (hits(ANONYMOUS), hits(PARTNER)) == (public, len(made))
    assert (hits(ANONYMOUS), hits(PARTNER)) == (public, len(made))  # from the cache
    add(node, label(f"{COLL}:new", mission="LRO"), at="2026-02-01T00:00:00.000000Z")
    assert (hits(ANONYMOUS), hits(PARTNER)) == (public + 1, len(made) + 1)
    hidden = next(p for p in made if p.access == "public")
    admin.set_access(node, hidden.lidvid, Access.PARTNER, frozenset(), None)
    assert (hits(ANONYMOUS), hits(PARTNER)) == (public, len(made) + 1)
    shown = next(p for p in made if p.access == "partner")
    admin.set_access(node, shown.lidvid, Access.PUBLIC, frozenset(), None)
    assert (hits(ANONYMOUS), hits(PARTNER)) == (public + 1, len(made) + 1)


def test_keyword_forms_agree_and_the_choice_follows_frequency(node: Node) -> None:
    """Both forms of the keywords filter find the same products; common words probe."""
    from sqlalchemy import select

    from lunadc.catalog.keywords import keywords_clause, prefer_probe
    from lunadc.catalog.tables import products

    for n in range(12):
        words = "basalt ridge" if n % 4 == 0 else "basalt plains"
        add(
            node,
            label(f"{COLL}:w{n:02d}", description=f"{words} near site {n}"),
            at=f"2026-01-01T00:00:{n:02d}.000000Z",
        )
    with node.engine.connect() as conn:
        for keywords in (("basalt",), ("ridge",), ("basalt", "ridge"), ("rid*",), ("absent",)):
            chosen = [
                set(conn.execute(select(products.c.lidvid).where(clause)).scalars())
                for clause in (keywords_clause(keywords), keywords_clause(keywords, probe=True))
            ]
            assert chosen[0] == chosen[1], keywords
        assert len(chosen[0]) == 0
        assert prefer_probe(conn, ("basalt",), 1)  # in all 12: 12 * 12 > 1 * 12
        assert not prefer_probe(conn, ("ridge",), 10)  # in 3: 3 * 3 < 10 * 12
        assert not prefer_probe(conn, ("basalt", "ridge"), 1)  # the rarer word decides
    # Through search_products (which picks the form) the page is the same for any limit.
    with node.engine.connect() as conn:
        pages = [
            [
                p.lidvid
                for p in search_products(
                    conn, ANONYMOUS, NOW, SearchParams(keywords=("basalt",), limit=limit)
                ).products
            ]
            for limit in (1, 100)
        ]
    assert pages[0] == pages[1][:1] and len(pages[1]) == 12
