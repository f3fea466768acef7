"""API tokens: random, stored as a hash, compared in constant time; failures rate-limited."""

from __future__ import annotations

from lunadc.access.ratelimit import FailureLimiter
from lunadc.access.tokens import hash_secret, new_token, secret_matches, split_token


def test_new_tokens_are_distinct_and_only_their_hash_is_kept() -> None:
    tokens = [new_token() for _ in range(50)]
    assert len({t.token for t in tokens}) == 50
    for token in tokens:
        parts = split_token(token.token)
        assert parts is not None
        token_id, secret = parts
        assert token_id == token.token_id
        assert secret not in token.secret_sha256
        assert token.secret_sha256 == hash_secret(secret)
        assert secret_matches(secret, token.secret_sha256)
        assert not secret_matches(
            secret[:-1] + ("A" if secret[-1] != "A" else "B"), token.secret_sha256
        )


def test_malformed_tokens_are_not_split() -> None:
    good = new_token().token
    for bad in ("", "ldc_", good + "x", good.replace("ldc_", "abc_"), "Bearer " + good):
        assert split_token(bad) is None


def test_failure_limiter_blocks_after_too_many_and_forgives_with_time() -> None:
    now = [1000.0]
    limiter = FailureLimiter(max_failures=3, window_s=60, clock=lambda: now[0])
    for _ in range(3):
        assert limiter.blocked_for("10.0.0.1") == 0
        limiter.failed("10.0.0.1")
    assert limiter.blocked_for("10.0.0.1") > 0
    assert limiter.blocked_for("10.0.0.2") == 0  # per client
    now[0] += 61
    assert limiter.blocked_for("10.0.0.1") == 0


def test_failure_limiter_memory_is_bounded() -> None:
    limiter = FailureLimiter(max_failures=1, window_s=60, max_clients=10)
    for i in range(100):
        limiter.failed(f"client-{i}")
    assert len(limiter._failures) <= 10
