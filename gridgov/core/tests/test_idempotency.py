"""The generic idempotency of writes (gridgov.core.idempotency and its middleware)."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient, APIRequestFactory

from gridgov.accounts.models import ApiKey
from gridgov.audit.models import AuditRecord
from gridgov.core import idempotency
from gridgov.core.models import IdempotencyRecord

pytestmark = pytest.mark.django_db

KEYS_URL = "/api/api-keys/"


def issue(api, key, name="对接"):
    return api.post(KEYS_URL, {"name": name}, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_retry_replays_the_first_answer_and_writes_once(api_as, dept_admin):
    api = api_as(dept_admin)
    before = ApiKey.objects.count()
    first = issue(api, "k-1")
    assert first.status_code == 201, first.content
    again = issue(api, "k-1")
    assert again.status_code == 201
    assert again.content == first.content and again.json()["key"] == first.json()["key"]
    assert again["Idempotent-Replayed"] == "true" and not first.has_header("Idempotent-Replayed")
    assert again["Content-Type"] == first["Content-Type"]
    assert again["Cache-Control"] == "no-store"
    assert ApiKey.objects.count() == before + 1


def test_stored_answer_is_encrypted_and_the_key_is_not_stored(api_as, dept_admin):
    first = issue(api_as(dept_admin), "secret-key-1")
    record = IdempotencyRecord.objects.get()
    blob = bytes(record.response)
    assert first.json()["key"].encode() not in blob and b"secret-key-1" not in blob
    assert "secret-key-1" not in record.key_hash and record.status == 201


def test_same_key_other_body_is_422_in_the_shared_shape(api_as, dept_admin):
    api = api_as(dept_admin)
    assert issue(api, "k-2").status_code == 201
    other = issue(api, "k-2", name="别的用途")
    assert other.status_code == 422
    assert other.json() == {"errors": [{
        "field": "Idempotency-Key", "code": "idempotency_key_reused",
        "message": other.json()["errors"][0]["message"]}]}
    # ...and another path with the same key as well.
    assert api.post("/api/notifications/read-all/", HTTP_IDEMPOTENCY_KEY="k-2").status_code == 422


def test_keys_belong_to_their_principal(api_as, dept_admin, sys_admin):
    issue(api_as(dept_admin), "shared")
    before = ApiKey.objects.count()
    response = api_as(sys_admin).post(KEYS_URL, {"name": "对接", "department":
                                                 dept_admin.department_id},
                                      format="json", HTTP_IDEMPOTENCY_KEY="shared")
    assert response.status_code == 201 and not response.has_header("Idempotent-Replayed")
    assert ApiKey.objects.count() == before + 1


def test_concurrent_retry_while_running_is_409(api_as, dept_admin):
    # The first request has claimed the key and is still running (its view has not answered).
    request = APIRequestFactory().post(KEYS_URL, {"name": "对接"}, format="json",
                                       HTTP_IDEMPOTENCY_KEY="k-run")
    request.user = dept_admin
    claim = idempotency.claim(request, "k-run")
    assert isinstance(claim, idempotency.Claim)
    before = ApiKey.objects.count()
    response = issue(api_as(dept_admin), "k-run")
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "idempotency_key_in_progress"
    assert response["Retry-After"] == "1"
    assert ApiKey.objects.count() == before
    # A first request that died long ago does not hold the key for ever.
    IdempotencyRecord.objects.update(created_at=timezone.now() - dt.timedelta(minutes=30))
    assert issue(api_as(dept_admin), "k-run").status_code == 201
    assert ApiKey.objects.count() == before + 1


def test_failures_release_the_key(api_as, dept_admin, monkeypatch):
    api = api_as(dept_admin)
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Api-Key gg_nonsense")
    assert bad.post(KEYS_URL, {"name": "x"}, format="json",
                    HTTP_IDEMPOTENCY_KEY="k-401").status_code == 401
    assert api.post("/api/areas/", {}, format="json",
                    HTTP_IDEMPOTENCY_KEY="k-403").status_code == 403
    assert not IdempotencyRecord.objects.exists()

    from gridgov.accounts import actions

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(actions, "issue_api_key", broken)
    api.raise_request_exception = False
    assert issue(api, "k-500").status_code == 500
    assert not IdempotencyRecord.objects.exists()
    monkeypatch.undo()
    assert issue(api, "k-500").status_code == 201  # the retry runs, and succeeds


def test_validation_errors_are_stored_and_replayed(api_as, dept_admin):
    api = api_as(dept_admin)
    first = api.post(KEYS_URL, {"name": ""}, format="json", HTTP_IDEMPOTENCY_KEY="k-400")
    assert first.status_code == 400
    again = api.post(KEYS_URL, {"name": ""}, format="json", HTTP_IDEMPOTENCY_KEY="k-400")
    assert again.status_code == 400 and again.content == first.content
    assert again["Idempotent-Replayed"] == "true"


def test_bad_key_is_400_and_reads_ignore_keys(api_as, dept_admin):
    api = api_as(dept_admin)
    bad = issue(api, "有中文")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "Idempotency-Key"
    assert api.get(KEYS_URL, HTTP_IDEMPOTENCY_KEY="k-get").status_code == 200
    assert not IdempotencyRecord.objects.exists()


def test_records_expire_after_a_day(api_as, dept_admin):
    api = api_as(dept_admin)
    first = issue(api, "k-old")
    IdempotencyRecord.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    again = issue(api, "k-old")
    assert again.status_code == 201 and again.json()["key"] != first.json()["key"]
    IdempotencyRecord.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    assert idempotency.purge_expired() == 1
    assert not IdempotencyRecord.objects.exists()


def test_purge_task_runs(api_as, dept_admin):
    from gridgov.core.tasks import purge_idempotency_records

    issue(api_as(dept_admin), "k-task")
    IdempotencyRecord.objects.update(created_at=timezone.now() - dt.timedelta(days=2))
    assert purge_idempotency_records.delay().get() == 1


def test_page_form_posted_twice_writes_once(client_as, grid_worker):
    client = client_as(grid_worker)
    before = AuditRecord.objects.count()
    form = {"idempotency_key": "7b0c4a9e-page", "csrfmiddlewaretoken": "ignored"}
    first = client.post("/notifications/read-all/", form)
    again = client.post("/notifications/read-all/", {**form, "csrfmiddlewaretoken": "other"})
    assert first.status_code == again.status_code
    assert again.get("Location") == first.get("Location")
    assert again["Idempotent-Replayed"] == "true"
    assert AuditRecord.objects.count() - before <= 1


def test_anonymous_keys_are_bound_to_the_client_address():
    one = Client(REMOTE_ADDR="10.0.0.1")
    other = Client(REMOTE_ADDR="10.0.0.2")
    body = {"idempotency_key": "anon-1", "description": ""}
    first = one.post("/events/public/report/", body)
    assert first.status_code == 400
    assert one.post("/events/public/report/", body)["Idempotent-Replayed"] == "true"
    assert not other.post("/events/public/report/", body).has_header("Idempotent-Replayed")


def test_schema_documents_the_header_on_every_write(api_as, grid_worker):
    schema = api_as(grid_worker).get("/api/schema/?format=json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method.upper() in idempotency.WRITE_METHODS:
                names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
                assert names.count("Idempotency-Key") == 1, (method, path)
                assert {"409", "422"} <= set(operation["responses"]), (method, path)


def test_a_body_over_the_form_memory_limit_still_reaches_the_view(api_as, dept_admin,
                                                                  settings):
    # DRF reads JSON from the stream without Django's in-memory limit; the key must not add one.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    api = api_as(dept_admin)
    first = issue(api, "k-big", name="一个很长的用途说明,超过十个字节")
    assert first.status_code == 201, first.content
    assert issue(api, "k-big", name="一个很长的用途说明,超过十个字节").content == first.content


def _multipart(boundary, name):
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n{name}\r\n"
            f"--{boundary}--\r\n").encode()
    return body, f"multipart/form-data; boundary={boundary}"


def test_a_multipart_retry_with_a_new_boundary_is_the_same_request(api_as, dept_admin):
    api = api_as(dept_admin)
    body, ctype = _multipart("aaaa1111", "对接")
    first = api.generic("POST", KEYS_URL, body, ctype, HTTP_IDEMPOTENCY_KEY="k-mp")
    assert first.status_code == 201, first.content
    body, ctype = _multipart("bbbb2222", "对接")
    again = api.generic("POST", KEYS_URL, body, ctype, HTTP_IDEMPOTENCY_KEY="k-mp")
    assert again["Idempotent-Replayed"] == "true" and again.content == first.content
    body, ctype = _multipart("cccc3333", "别的")
    assert api.generic("POST", KEYS_URL, body, ctype,
                       HTTP_IDEMPOTENCY_KEY="k-mp").status_code == 422


def test_machine_interfaces_keep_their_raw_body():
    # CKAN (CSRF-exempt, not DRF) reads the raw body of a form post: the middleware must not
    # parse it first, with or without a key.
    client = Client()
    for headers in ({}, {"HTTP_IDEMPOTENCY_KEY": "k-ckan"}):
        response = client.post("/api/3/action/package_show", {"id": "missing"}, **headers)
        assert response.status_code == 404, response.content
