"""Every operation of ``/api/schema/`` — reads and writes — behaves as the schema says.

schemathesis generates calls of each operation (stateless) and checks that none answers 5xx,
that the status code, the body's shape and the content type are the documented ones. Each
operation is called as a demo user who holds its permission (``schema_support.caller_for``),
signed in with a session (administrators past their TOTP step) and a CSRF token, so writes
reach the actions instead of stopping at 403. Path parameters are mixed with a real object's
(the first row the caller can list, or the object ``test_retry_every_write`` acts on), so the
generated bodies meet real validation, not only 404; each write is also called once with that
test's valid body and must succeed with an answer of the documented shape.

Few examples per operation keep it fast; every test runs in its own rolled-back transaction,
so the writes leave nothing behind.
"""

import re

import pytest
from django.middleware.csrf import _get_new_csrf_string
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from gridgov.events.tests import workflow_support as flow

from .schema_support import (
    EXCHANGE,
    OPERATIONS,
    caller_for,
    exchange_key,
    operation_id,
    permissions_of,
    shared_connection,
)
from .test_retry_every_write import EXAMPLES
from .test_retry_every_write import OPERATIONS as WRITE_OPERATIONS

pytestmark = pytest.mark.django_db

READ_EXAMPLES = 8
WRITE_EXAMPLES = 6
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance,
          content_type_conformance]
PARAMETER = re.compile(r"\{(\w+)\}")
WRITE_IDS = {(method, path): op_id for op_id, (method, path) in WRITE_OPERATIONS.items()}


def _write_example(operation, p):
    """The retry test's valid call of a write (its caller, real object and body), if any."""
    op_id = WRITE_IDS.get((operation.method.upper(), operation.path))
    return EXAMPLES[op_id](p) if op_id in EXAMPLES else None


def _first_row_parameters(operation, api) -> dict | None:
    """Path parameters of a read naming a real object: the first row of the list the path
    starts with."""
    names = PARAMETER.findall(operation.path)
    if not names:
        return None
    response = api.get(operation.path[: operation.path.index("{")])
    if response.status_code != 200:
        return None
    body = response.json()
    rows = body.get("results", []) if isinstance(body, dict) else body
    if not rows:
        return None
    value = rows[0].get(names[0], rows[0].get("id"))
    return {names[0]: str(value)} if value is not None else None


def _session(client_as, user) -> tuple[dict, dict]:
    """Cookies and headers of a signed-in browser session that passes the CSRF check."""
    client = client_as(user)
    token = _get_new_csrf_string()
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": token}
    return cookies, {"X-CSRFToken": token}


@pytest.mark.parametrize("operation", OPERATIONS, ids=operation_id)
def test_operation_conforms(operation, client_as, api_as):
    from gridgov.wsgi import application

    p = flow.people()
    example = None
    if EXCHANGE in permissions_of(operation.method, operation.path):
        code, headers = exchange_key(p)
        cookies, real = {}, {"code": code}
    else:
        example = _write_example(operation, p)
        caller = example.actor if example else caller_for(operation.method, operation.path)
        cookies, headers = _session(client_as, caller)
        real = ({k: str(v) for k, v in example.params.items()} if example
                else _first_row_parameters(operation, api_as(caller)))
    strategy = operation.as_strategy()
    if real:
        strategy = st.one_of(strategy, operation.as_strategy(path_parameters=real))
    write = operation.method.upper() != "GET"

    @given(case=strategy)
    @settings(max_examples=WRITE_EXAMPLES if write else READ_EXAMPLES, deadline=None,
              database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    def check(case):
        response = case.call(app=application, cookies=cookies,
                             headers={**(case.headers or {}), **headers})
        case.validate_response(response, checks=CHECKS)

    with shared_connection():
        if example is not None:
            # The valid call first: its answer too must be exactly what the schema says.
            case = operation.Case(path_parameters=real or None, body=example.body or {},
                                  media_type="application/json")
            response = case.call(app=application, cookies=cookies, headers=headers)
            assert response.status_code < 300, (response.status_code, response.text[:300])
            case.validate_response(response, checks=CHECKS)
        check()
