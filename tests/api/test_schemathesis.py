"""Property-based requests over the OpenAPI spec: no input makes the server answer 500.

Schemathesis generates the cases from /openapi.json; hypothesis drives them here directly
(the schemathesis pytest plugin does not load under this pytest version). Bounded: a few
examples per operation, derandomised, so the run takes seconds and is repeatable.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings

from lunadc.api.app import create_app
from lunadc.node import Node

EXAMPLES = 8


def _check(case: Any) -> None:
    response = case.call()
    where = f"{case.method} {case.formatted_path} {case.query} {case.headers}"
    assert response.status_code < 500, f"{where}: {response.text[:500]}"
    if response.status_code >= 400 and case.method != "HEAD":
        assert response.headers["content-type"][0].startswith("application/problem+json"), where


def test_no_input_makes_a_500(api_node: Node) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(api_node))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def run(case: Any) -> None:
            _check(case)

        run()
