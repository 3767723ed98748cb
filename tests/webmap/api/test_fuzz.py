"""The API fuzzed from its own OpenAPI document with schemathesis, on SQLite and PostGIS: no 5xx, every response as
documented (status, content type, headers, body schema), schema-breaking requests refused, secured operations
refusing callers without credentials.

Bounded for CI: FUZZ_EXAMPLES (default 20) cases per operation and mode, the same ones each run;
FUZZ_RANDOM=1 draws new ones. bench/README.md records a longer run.
"""
from __future__ import annotations

import os
import traceback

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance

from tests.accounts import bearer

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
# The same cases on every run unless FUZZ_RANDOM=1: CI is reproducible, a longer run explores.
DERANDOMIZE = os.environ.get("FUZZ_RANDOM", "0") != "1"
# Not applied: "a request the schema allows must be accepted". The API refuses what no schema can say —
# an unknown compound, a NUL character, a place outside the neighbourhood — with a 4xx naming the field.
NOT_APPLIED = [positive_data_acceptance]


def test_the_api_keeps_to_its_document(api_app):
    api_app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash is then the 500 a client would get, reported as one
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api_app)
    # identity: the WSGI transport would not undo the zstd a browser gets
    headers = {**bearer(api_app, "admin"), "Accept-Encoding": "identity"}
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in GenerationMode:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=DERANDOMIZE,
                      suppress_health_check=list(HealthCheck))
            def keeps_to_it(case):
                case.call_and_validate(headers=headers, excluded_checks=NOT_APPLIED)

            try:
                keeps_to_it()
            except Unsatisfiable:
                continue  # nothing to break: an operation without parameters has no negative cases
            except (Exception, BaseExceptionGroup) as failure:  # collected: one run reports every operation failing
                where = "".join(traceback.format_exception(failure)[-3:])
                failures.append(f"{operation.label} ({mode.value}): {failure}\n{where}")
    assert not failures, "\n\n".join(failures)
