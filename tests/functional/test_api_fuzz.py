"""Property-based fuzzing of the whole API from its OpenAPI document (schemathesis).

Authenticated as a supervisor assigned to seeded requests, every operation gets
generated inputs, valid and invalid. No answer may be a server error, and every
documented answer must match its schema. At least 1,000 cases run in all.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from hanoi.accounts.model import Role
from hanoi.clock import FixedClock
from hanoi.convention import default_catalogue
from hanoi.cooperation.service import DraftInput, StepInput
from hanoi.web.app import create_app
from hanoi.wiring import Node
from support_nodes import T0, build_node
from unit.cooperation.builders import complete_contents

# schemathesis gives every operation's item the same node id, which pytest-xdist cannot
# schedule: the file runs in the serial pass of scripts/test.
pytestmark = [pytest.mark.slow, pytest.mark.serial]

EXAMPLES_PER_OPERATION = 80
MINIMUM_CASES = 1_000
CASES: dict[str, int] = {}


def _node(folder: Path) -> tuple[Node, str]:
    node = build_node(folder, "EGY", None, FixedClock(T0))
    supervisor = node.accounts.add_user(name="samir", role=Role.SUPERVISOR, with_token=True)
    assert supervisor.token is not None
    catalogue = default_catalogue()
    for kind in catalogue.kind_keys[:4]:
        request = node.cooperation.draft(
            supervisor.user,
            DraftInput(
                kind=kind, requested_state="VNM", contents=complete_contents(catalogue.kind(kind))
            ),
        ).request
        node.cooperation.take(supervisor.user, request.id, StepInput(transition="approve"))
    return node, supervisor.token


_folder = Path(tempfile.mkdtemp(prefix="hanoi-fuzz-"))
atexit.register(shutil.rmtree, _folder, ignore_errors=True)  # made at import: gone at exit
NODE, TOKEN = _node(_folder / "egy")
APP = create_app(NODE, background=False)
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def enough_cases() -> Iterator[None]:
    yield
    total = sum(CASES.values())
    NODE.engine.dispose()
    assert total >= MINIMUM_CASES, f"only {total} cases ran over {len(CASES)} operations"


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error_and_every_answer_matches_the_schema(case: Any) -> None:
    CASES[case.operation.label] = CASES.get(case.operation.label, 0) + 1
    case.call_and_validate(
        headers={"Authorization": f"Bearer {TOKEN}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
