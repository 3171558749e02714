"""A client built from the schema reads every list and detail endpoint of the API.

What a generated OpenAPI client does with an answer is decode it into the models of
``components/schemas``: a missing required field, a ``null`` where the schema says a string,
a value outside an enum or a date that does not parse make it fail. This test does the same
with ``jsonschema`` (the OpenAPI 3.0 dialect turned into JSON Schema: ``nullable``), over
every GET operation of the schema, as a demo user who may call it: each list (and the page
after, through its ``next`` link), then a detail of its first row. Every detail endpoint must
have a row to read, so none is left untried.

Paging bounds: on every list, ``limit`` past any integer the database holds answers 400 with
the field (or is capped), never a 500.
"""

import copy
import datetime as dt
import json
import re
import uuid

import pytest
from django.utils import timezone
from jsonschema import Draft202012Validator, FormatChecker

from gridgov.core.pagination import MAX_LIMIT
from gridgov.events.tests import workflow_support as flow

from .schema_support import DOCUMENT, EXCHANGE, caller_for, exchange_key, permissions_of

pytestmark = pytest.mark.django_db

PARAMETER = re.compile(r"\{(\w+)\}")
GETS = sorted(path for path, operations in DOCUMENT["paths"].items() if "get" in operations)
LISTS = [path for path in GETS if not PARAMETER.search(path)]
DETAILS = [path for path in GETS if PARAMETER.search(path)]


# --- the models: components/schemas as JSON Schema -------------------------------------------


def _json_schema(node):
    """OpenAPI 3.0 schema objects → JSON Schema 2020-12 (``nullable`` becomes a null branch)."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value):
    return not isinstance(value, str) or bool(dt.datetime.fromisoformat(value).tzinfo)


@FORMATS.checks("date", raises=ValueError)
def _date(value):
    return not isinstance(value, str) or bool(dt.date.fromisoformat(value))


@FORMATS.checks("uuid", raises=ValueError)
def _uuid(value):
    return not isinstance(value, str) or bool(uuid.UUID(value))


COMPONENTS = _json_schema(copy.deepcopy(DOCUMENT["components"]["schemas"]))


def _validator(path: str, code: str = "200") -> Draft202012Validator:
    response = DOCUMENT["paths"][path]["get"]["responses"][code]
    schema = _json_schema(response["content"]["application/json"]["schema"])
    return Draft202012Validator({**schema, "components": {"schemas": COMPONENTS}},
                                format_checker=FORMATS)


def _json(response):
    """The body of an answer, streamed (the exchange) or not."""
    if response.streaming:
        return json.loads(b"".join(response.streaming_content))
    return response.json()


def _decode(path: str, response, code: int = 200):
    """The body as a generated client would decode it: the documented status and type, and
    every field as its model says; failures name the path inside the body."""
    assert response.status_code == code, (path, response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), path
    body = _json(response)
    errors = sorted(_validator(path, str(code)).iter_errors(body), key=lambda e: e.path)
    assert not errors, [(path, list(e.absolute_path), e.message) for e in errors[:5]]
    return body


# --- the client -------------------------------------------------------------------------------


@pytest.fixture
def reader(api_as):
    """``reader(path)``: an API client for the operation, as a demo user allowed to call it
    (the exchange: a department API key), and the real path parameters it needs."""
    p = flow.people()
    _seed(p)
    keyed = {}

    def make(path):
        from rest_framework.test import APIClient

        if EXCHANGE in permissions_of("get", path):
            if not keyed:
                keyed["code"], keyed["headers"] = exchange_key(p)
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=keyed["headers"]["Authorization"])
            return client, {"code": keyed["code"]}
        return api_as(caller_for("get", path)), None

    return make


def _seed(p):
    """What the demo lacks for every detail to have a row: a building, an API key, a device
    token and a notification of the callers, an appeal (a department's, on an overdue case of
    its own) and a frozen assessment of this month that counts that case, and a keyword."""
    from gridgov.accounts import actions as account_actions
    from gridgov.accounts import device_actions
    from gridgov.areas.models import Area
    from gridgov.assess import actions as assess_actions
    from gridgov.basedata import actions as basedata_actions
    from gridgov.demo.users import GULOU_GRID
    from gridgov.notifications.models import Notification
    from gridgov.stats.periods import Period

    from .test_retry_every_write import appeal, keyword

    lng, lat = flow.point_in(GULOU_GRID)
    basedata_actions.create_building(actor=None, name="1幢", address="读取路1号", lng=lng,
                                     lat=lat, grid=Area.objects.get(code=GULOU_GRID), floors=6)
    account_actions.issue_api_key(p["dept_admin"].department, name="读取", actor=p["dept_admin"])
    # Notifications and device tokens are the caller's own: the one who reads their lists.
    for path in ("/api/v1/notifications/", "/api/v1/device-tokens/"):
        assert path in GETS, path
    owner = caller_for("get", "/api/v1/notifications/")
    assert caller_for("get", "/api/v1/device-tokens/") == owner
    Notification.objects.create(user=owner, kind=Notification._meta.get_field(
        "kind").choices[0][0], text="测试通知")
    device_actions.issue_device_token(name="手机", actor=owner)
    appeal(p)
    month = Period.containing("month", timezone.localdate())
    snapshot = assess_actions.freeze_assessment(month, assess_actions.default_scheme(),
                                                actor=p["shift"])
    assert snapshot.case_count >= 1
    keyword(p)


def _required_query(path) -> dict:
    """Values for the required query parameters (the point of ``areas/lookup``, the grid of
    ``tasks/on-duty``)."""
    from gridgov.demo.users import GULOU_GRID

    lng, lat = flow.point_in(GULOU_GRID)
    known = {"lng": lng, "lat": lat, "grid": GULOU_GRID}
    parameters = DOCUMENT["paths"][path]["get"].get("parameters", [])
    return {p["name"]: known[p["name"]] for p in parameters
            if p["in"] == "query" and p.get("required")}


def _rows(body):
    return body["results"] if isinstance(body, dict) and "results" in body else (
        body if isinstance(body, list) else None)


@pytest.mark.parametrize("path", LISTS)
def test_a_generated_client_reads_every_list(path, reader):
    client, real = reader(path)
    params = {"limit": 2} if _paged(path) else {}
    params.update(_required_query(path))
    url = path.replace("{code}", real["code"]) if real else path
    body = _decode(path, client.get(url, params, HTTP_ACCEPT="application/json"))
    if _paged(path) and body.get("next"):
        _decode(path, client.get(body["next"], HTTP_ACCEPT="application/json"))


def _url(path, client, real) -> str:
    """The path with real parameters: the exchange's resource code, else the first row of
    the list the path starts with."""
    if not PARAMETER.search(path):
        return path
    if real is None:
        listing = path[: path.index("{")]
        rows = _rows(_decode(listing, client.get(listing, HTTP_ACCEPT="application/json")))
        assert rows, f"{listing} lists nothing, so {path} cannot be tried"
        name = PARAMETER.findall(path)[0]
        real = {name: rows[0].get(name, rows[0].get("id"))}
    url = path
    for name, value in real.items():
        url = url.replace("{" + name + "}", str(value))
    return url


@pytest.mark.parametrize("path", DETAILS)
def test_a_generated_client_reads_every_detail(path, reader):
    client, real = reader(path)
    _decode(path, client.get(_url(path, client, real), HTTP_ACCEPT="application/json"))


def _takes(path, name) -> bool:
    parameters = DOCUMENT["paths"][path]["get"].get("parameters", [])
    return any(p["name"] == name and p["in"] == "query" for p in parameters)


def _paged(path) -> bool:
    return _takes(path, "limit")


PAGED = [path for path in GETS if _paged(path)]
HUGE = ["9223372036854775808", "9223372036854775807", str(10 ** 40), "-1", "0", "1e3"]


def test_every_list_is_paged():
    """The lists the issue found answering 500 to a huge limit, and every other."""
    assert len([p for p in PAGED if not PARAMETER.search(p)]) >= 7
    assert "/api/v1/exchange/resources/{code}/rows/" in PAGED


@pytest.mark.parametrize("path", PAGED)
def test_a_limit_past_every_bound_is_400_or_capped(path, reader):
    client, real = reader(path)
    url = _url(path, client, real)
    for value in HUGE:
        response = client.get(url, {"limit": value}, HTTP_ACCEPT="application/json")
        assert response.status_code in (200, 400), (path, value, response.status_code)
        body = _json(response)
        if response.status_code == 400:
            assert [e["field"] for e in body["errors"]] == ["limit"], (path, value, body)
        else:
            rows = body.get("results", body.get("rows"))
            assert len(rows) <= MAX_LIMIT, (path, value)
    if _takes(path, "offset"):
        for value in HUGE[:3]:
            response = client.get(url, {"offset": value}, HTTP_ACCEPT="application/json")
            assert response.status_code == 400, (path, value, response.status_code)
            assert [e["field"] for e in _json(response)["errors"]] == ["offset"]
