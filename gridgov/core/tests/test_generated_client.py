"""A client GENERATED from ``/api/schema/`` by openapi-python-client reads every list and detail.

``test_schema_client`` decodes answers the way a generated client would (JSON Schema); this
test uses a real one: openapi-python-client (a ``test`` extra) turns the schema into a Python
package in a temporary folder, without network, and the test imports it and calls every GET
operation it generated through the WSGI application (httpx's WSGI transport), as a demo user
who may call it (the exchange: a department API key). Each answer must have the documented
status and decode into the generated model (required keys, dates, enums), and turn back into
a dict; each list is followed to its next page; each detail is called with the first row
of its list. If the generator refuses or mangles the schema, that is a bug of the schema.
"""

import importlib
import inspect
import json
import pkgutil
import re
import sys
from urllib.parse import parse_qsl, urlsplit

import pytest

from gridgov.events.tests import workflow_support as flow

from .schema_support import (
    DOCUMENT,
    EXCHANGE,
    caller_for,
    exchange_key,
    permissions_of,
    shared_connection,
)
from .test_schema_client import _required_query, _seed

generator = pytest.importorskip(
    "openapi_python_client",
    reason="openapi-python-client is not installed: pip install -e '.[test]' brings it")
httpx = pytest.importorskip("httpx", reason="httpx comes with openapi-python-client")

PACKAGE = "gridgov_generated_client"
PARAMETER = re.compile(r"\{(\w+)\}")
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
GETS = sorted(path for path, operations in DOCUMENT["paths"].items() if "get" in operations)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The generated package: its folder and the GET operations' modules by path."""
    from openapi_python_client import generate
    from openapi_python_client.config import Config, ConfigFile, MetaType

    root = tmp_path_factory.mktemp("generated")
    document = root / "schema.json"
    document.write_text(json.dumps(DOCUMENT), encoding="utf-8")
    config = Config.from_sources(ConfigFile(post_hooks=[]), MetaType.NONE, document, "utf-8",
                                 True, root / PACKAGE)
    problems = generate(config=config)
    assert not problems, [(p.level, p.header, p.detail) for p in problems]
    sys.path.insert(0, str(root))
    try:
        api = importlib.import_module(f"{PACKAGE}.api")
        gets = {}
        for info in pkgutil.walk_packages(api.__path__, f"{PACKAGE}.api."):
            module = importlib.import_module(info.name)
            if not hasattr(module, "sync_detailed"):
                continue
            if re.search(r'"method": "get"', inspect.getsource(module._get_kwargs)):
                gets[_template(module)] = module
        yield root / PACKAGE, gets
    finally:
        sys.path.remove(str(root))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def _template(module) -> str:
    """The path template of a generated operation (from its source: ``"/api/v1/x/{id}/"``)."""
    return re.search(r'"url": "([^"]+)"', inspect.getsource(module._get_kwargs)).group(1)


def test_the_generator_takes_the_schema_and_names_everything_in_ascii(generated):
    """Every module and model is an ASCII identifier: a query parameter's Chinese title once
    named its enum (``events_list_处置层级.py``, class ``EventsList处置层级``), which
    generators for other languages cannot compile."""
    folder, gets = generated
    names = [path.stem for path in folder.rglob("*.py")]
    assert len(names) > 100
    assert [n for n in names if not IDENTIFIER.match(n)] == []
    models = importlib.import_module(f"{PACKAGE}.models")
    assert [n for n in models.__all__ if not IDENTIFIER.match(n)] == []
    assert sorted(gets) == GETS
    assert hasattr(models, "EventsListLevel")


def _call(module, client, **kwargs):
    """One call: the documented status (an undocumented one raises in the client) and the
    decoded model, which must turn back into a dict."""
    from gridgov_generated_client.models.error_list import ErrorList

    response = module.sync_detailed(client=client, **kwargs)
    assert response.status_code == 200, (response.status_code, response.content[:300])
    parsed = response.parsed
    assert parsed is not None and not isinstance(parsed, ErrorList), type(parsed)
    for item in parsed if isinstance(parsed, list) else [parsed]:
        item.to_dict()
    return response


def _rows(content: bytes) -> list:
    body = json.loads(content)
    if isinstance(body, list):
        return body
    return body.get("results", body.get("rows", [])) if isinstance(body, dict) else []


def test_a_generated_client_reads_every_list_and_detail(generated, client_as):
    from gridgov_generated_client import Client

    from gridgov.wsgi import application

    _folder, gets = generated
    p = flow.people()
    _seed(p)
    code, key_headers = exchange_key(p)
    clients = {}

    def client_for(path):
        if EXCHANGE in permissions_of("get", path):
            headers, cookies = key_headers, {}
        else:
            user = caller_for("get", path)
            if user.pk not in clients:
                clients[user.pk] = client_as(user).cookies["sessionid"].value
            headers, cookies = {}, {"sessionid": clients[user.pk]}
        return Client(base_url="http://testserver", headers=headers, cookies=cookies,
                      raise_on_unexpected_status=True,
                      httpx_args={"transport": httpx.WSGITransport(app=application)})

    lists = [path for path in GETS if not PARAMETER.search(path)]
    details = [path for path in GETS if PARAMETER.search(path)]
    first_rows, read = {}, []
    with shared_connection():
        for path in lists:
            module = gets[path]
            takes = inspect.signature(module.sync_detailed).parameters
            kwargs = {"limit": 2} if "limit" in takes else {}
            kwargs.update(_required_query(path))
            response = _call(module, client_for(path), **kwargs)
            first_rows[path] = _rows(response.content)
            next_link = json.loads(response.content)
            next_link = next_link.get("next") if isinstance(next_link, dict) else None
            if next_link:
                query = dict(parse_qsl(urlsplit(next_link).query))
                _call(module, client_for(path), **{
                    name: int(value) if name in ("limit", "offset") else value
                    for name, value in query.items() if name in takes})
            read.append(path)
        for path in details:
            name = PARAMETER.findall(path)[0]
            if EXCHANGE in permissions_of("get", path):
                value = code
            else:
                rows = first_rows.get(path[: path.index("{")])
                assert rows, f"{path}: its list has no row to read"
                value = rows[0].get(name, rows[0].get("id"))
            module = gets[path]
            takes = inspect.signature(module.sync_detailed).parameters
            _call(module, client_for(path), **{name: str(value)},
                  **({"limit": 2} if "limit" in takes else {}))
            read.append(path)
    assert sorted(read) == GETS
