"""The verified-token cache: a token checked moments ago is not looked up again, for a bounded
time, never past its expiry, and the cache never holds a token itself."""

from __future__ import annotations

from fastapi.testclient import TestClient

from lunadc.access import admin
from lunadc.access.authenticate import VerifiedTokens
from lunadc.access.tokens import new_token
from lunadc.api.app import create_app
from lunadc.model.access import Role, Viewer
from lunadc.node import Node


def test_entries_live_ttl_seconds_and_never_past_the_token_expiry() -> None:
    clock = [100.0]
    cache = VerifiedTokens(ttl_s=2.0, clock=lambda: clock[0])
    alice = Viewer(name="alice", role=Role.READER, partner=True, groups=frozenset({"g1"}))
    token = new_token().token
    cache.put(token, alice, expires_at="2026-06-01T00:00:00.000000Z")
    assert cache.get(token, "2026-05-01T00:00:00.000000Z") == alice
    assert cache.get(new_token().token, "2026-05-01T00:00:00.000000Z") is None
    assert cache.get(token, "2026-06-01T00:00:00.000000Z") is None  # expired: gone at once
    cache.put(token, alice, expires_at=None)
    clock[0] += 2.5
    assert cache.get(token, "2026-05-01T00:00:00.000000Z") is None  # older than the ttl
    assert all(token not in key for key in cache._entries)


def test_the_cache_stays_bounded() -> None:
    cache = VerifiedTokens(max_entries=10)
    viewer = Viewer(name="bob", role=Role.READER, partner=False, groups=frozenset())
    for _ in range(25):
        cache.put(new_token().token, viewer, None)
    assert len(cache._entries) <= 10


def test_a_revoked_token_stops_working_within_the_ttl(node: Node) -> None:
    admin.add_user(node, "carol", Role.READER, True)
    made = admin.create_token(node, "carol", None)
    clock = [0.0]
    app = create_app(node)
    with TestClient(app) as client:
        app.state.verified_tokens = VerifiedTokens(ttl_s=2.0, clock=lambda: clock[0])
        headers = {"Authorization": f"Bearer {made.token}"}
        assert client.get("/products?limit=0", headers=headers).status_code == 200
        admin.revoke_token(node, made.token_id)  # as `lunadc token revoke` does, elsewhere
        clock[0] += 2.1
        answer = client.get("/products?limit=0", headers=headers)
        assert answer.status_code == 401
        assert "revoked" in answer.json()["detail"]
