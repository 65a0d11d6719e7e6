"""The API against its own OpenAPI document with schemathesis (issue 21): generated requests to every documented
operation, with an admin key, never get a 5xx, and every answer conforms to the document (status, content type,
schema). A bounded number of examples per operation keeps it to seconds; one SQLite instance serves them all."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from basira.api.app import create_app
from basira.core import orgs
from basira.core.instance import Instance
from basira.core.principal import system_principal
from basira.core.settings import load_settings

#: No 5xx, and answers as documented. (Not "every schema-valid request is accepted": the document gives types and
#: lengths, while some rules, a slug's alphabet say, are the code's and answer a documented 422.)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
#: Examples per operation: enough to try each one's parameters, few enough for about half a minute in all.
EXAMPLES = 2


@pytest.fixture(scope="module")
def api_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str]]:
    data: Path = tmp_path_factory.mktemp("schemathesis")
    inst = Instance(load_settings(environ={}, data_dir=data, secret_key="schemathesis", worker_interval_s=0,
                                  match_rate_per_key=0, match_rate_per_org=0))
    with inst.db.session() as s:
        org = orgs.create_org(s, "test", "acme", "Acme", operator=True)
        key = orgs.create_key(s, system_principal(org.id), org.id, "admin", "schemathesis").secret
    yield create_app(inst), key
    inst.close()


def test_the_api_conforms_to_its_document(api_app: tuple[Any, str]) -> None:
    app, key = api_app
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(operation.as_strategy())
        @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
        def check(case: Any) -> None:
            case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=CHECKS)

        try:
            check()
        except BaseException as e:  # a failed check: name the operation, go on with the others
            if isinstance(e, KeyboardInterrupt):
                raise
            detail = " | ".join(line.strip() for line in str(e).splitlines() if line.strip())[:600]
            failures.append(f"{operation.method.upper()} {operation.path}: {detail}")
    assert operations > 100
    assert failures == [], "\n".join(failures)
