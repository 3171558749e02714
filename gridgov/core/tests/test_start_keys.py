"""Every non-demo start refuses the development keys (issue 9, item 3): the WSGI application
(gunicorn, runserver), the Celery worker and beat, and ``check --deploy``; ``gridgov demo``,
DEBUG and the tests still run on them."""

import importlib.util
import io
import os
import runpy
import subprocess
import sys

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from gridgov.core import keys_check
from gridgov.core.management.commands import serve

from .test_serve_keys import AUDIT, FIELD, KEY_VARS, LOOKUP, SECRET


@pytest.fixture
def outside_tests(monkeypatch, settings):
    """This process as a production start sees it: no test environment, DEBUG off, not the
    demo, and the development keys (the settings defaults)."""
    monkeypatch.delattr(mail, "outbox", raising=False)
    monkeypatch.delenv(keys_check.DEMO_ENV, raising=False)
    for name in KEY_VARS:
        monkeypatch.delenv(name, raising=False)
    settings.DEBUG = False
    settings.SECRET_KEY = settings.AUDIT_HMAC_KEY = keys_check.DEMO_SECRET_KEY
    settings.GRIDGOV_FIELD_KEYS = settings.GRIDGOV_LOOKUP_KEY = ""
    return settings


def _load_wsgi():
    # run_path, not run_module: the module is already imported, and running it again by name
    # warns that it may behave unpredictably.
    return runpy.run_path(importlib.util.find_spec("gridgov.wsgi").origin)["application"]


def test_wsgi_application_refuses_the_development_keys(outside_tests):
    with pytest.raises(ImproperlyConfigured) as info:
        _load_wsgi()
    text = str(info.value)
    assert "Refusing to start the web application" in text
    for name in KEY_VARS:
        assert f"{name}:" in text


def test_wsgi_application_loads_with_production_keys(outside_tests):
    outside_tests.SECRET_KEY, outside_tests.AUDIT_HMAC_KEY = SECRET, AUDIT
    outside_tests.GRIDGOV_FIELD_KEYS, outside_tests.GRIDGOV_LOOKUP_KEY = FIELD, LOOKUP
    assert callable(_load_wsgi())


@pytest.mark.parametrize("how", ["demo", "debug"])
def test_wsgi_application_loads_for_the_demo_and_debug(outside_tests, monkeypatch, how):
    if how == "demo":
        monkeypatch.setenv(keys_check.DEMO_ENV, "1")
    else:
        outside_tests.DEBUG = True
    assert callable(_load_wsgi())


def test_the_test_environment_is_exempt(settings, monkeypatch):
    settings.DEBUG = False
    monkeypatch.delenv(keys_check.DEMO_ENV, raising=False)
    assert keys_check.start_exemption() == "tests"
    keys_check.require_for_start("anything")  # no raise on the development keys


def _python(code: str, tmp_path, **env):
    environ = {k: v for k, v in os.environ.items()
               if k not in KEY_VARS and k not in ("DEBUG", keys_check.DEMO_ENV)}
    environ.update(GRIDGOV_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="gridgov.settings",
                   **env)
    return subprocess.run([sys.executable, "-c", code], env=environ, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, check=False)


def test_gunicorn_style_import_in_a_fresh_process(tmp_path):
    """As gunicorn loads it: a plain ``import gridgov.wsgi`` fails, naming the keys; with
    GRIDGOV_DEMO=1 (what ``gridgov demo`` sets) it loads."""
    refused = _python("import gridgov.wsgi", tmp_path)
    assert refused.returncode != 0
    assert "Refusing to start the web application" in refused.stderr
    assert "SECRET_KEY: not set" in refused.stderr
    demo = _python("import gridgov.wsgi; print('loaded')", tmp_path,
                   **{keys_check.DEMO_ENV: "1"})
    assert demo.returncode == 0, demo.stderr
    assert "loaded" in demo.stdout


def test_celery_worker_refuses_to_start(tmp_path):
    """``celery -A gridgov worker`` exits 1 before connecting to anything. With the check
    gone the worker would run on the in-memory broker until the timeout."""
    environ = {k: v for k, v in os.environ.items()
               if k not in KEY_VARS and k not in ("DEBUG", keys_check.DEMO_ENV)}
    environ.update(GRIDGOV_DATA_DIR=str(tmp_path), CELERY_BROKER_URL="memory://")
    result = subprocess.run(
        [sys.executable, "-m", "celery", "-A", "gridgov", "worker", "--pool=solo",
         "--loglevel=WARNING"],
        env=environ, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1
    assert "Refusing to start the Celery worker" in result.stderr


@pytest.mark.parametrize("receiver, what", [("_worker_keys", "the Celery worker"),
                                            ("_beat_keys", "Celery beat")])
def test_celery_receivers(outside_tests, monkeypatch, capsys, receiver, what):
    from celery.signals import beat_init, celeryd_init

    from gridgov import celery

    handler = getattr(celery, receiver)
    assert any(r[1]() is handler for r in (celeryd_init.receivers + beat_init.receivers))
    with pytest.raises(SystemExit) as info:
        handler(sender=None)
    assert info.value.code == 1
    assert f"Refusing to start {what}" in capsys.readouterr().err
    monkeypatch.setenv(keys_check.DEMO_ENV, "1")
    handler(sender=None)  # the demo: no exit


def test_check_deploy_reports_each_missing_key(outside_tests):
    with pytest.raises(SystemCheckError) as info:
        call_command("check", "--deploy", stdout=io.StringIO(), stderr=io.StringIO())
    text = str(info.value)
    for check_id in keys_check.CHECK_IDS.values():
        assert check_id in text


def test_keys_check_command(outside_tests):
    from django.core.management import CommandError

    with pytest.raises(CommandError) as info:
        call_command("keys", "check")
    assert info.value.returncode == 1 and "GRIDGOV_LOOKUP_KEY" in str(info.value)
    outside_tests.SECRET_KEY, outside_tests.AUDIT_HMAC_KEY = SECRET, AUDIT
    outside_tests.GRIDGOV_FIELD_KEYS, outside_tests.GRIDGOV_LOOKUP_KEY = FIELD, LOOKUP
    out = io.StringIO()
    call_command("keys", "check", stdout=out)
    assert "All production keys are set" in out.getvalue()


@pytest.mark.django_db
def test_demo_marks_its_server_as_the_demo(outside_tests, monkeypatch):
    """``gridgov demo`` sets GRIDGOV_DEMO before gunicorn loads the WSGI application, so the
    demo keeps running on the development keys."""
    loaded = []

    def fake_gunicorn(*args, **kwargs):
        loaded.append(_load_wsgi())  # what each gunicorn worker does

    monkeypatch.setattr(serve, "run_gunicorn", fake_gunicorn)
    monkeypatch.setenv(keys_check.DEMO_ENV, "")
    call_command("demo", "--port", "8002", stdout=io.StringIO(), stderr=io.StringIO())
    assert os.environ[keys_check.DEMO_ENV] == "1"
    assert len(loaded) == 1 and callable(loaded[0])
