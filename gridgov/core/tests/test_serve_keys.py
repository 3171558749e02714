"""``gridgov serve`` refuses to start on the public demo key or without its own field,
lookup and audit keys; ``gridgov demo`` and the tests keep the derived defaults."""

import base64
import io
import os

import pytest
from django.core.management import CommandError, call_command

from gridgov.core import keys_check
from gridgov.core.management.commands import serve

FIELD = base64.b64encode(bytes(range(32))).decode()
OLD_FIELD = base64.b64encode(bytes(range(1, 33))).decode()
LOOKUP = base64.b64encode(bytes(range(2, 34))).decode()
SECRET = "s3cret-" + "k" * 50
AUDIT = "audit-" + "a" * 50
KEY_VARS = ("SECRET_KEY", "GRIDGOV_FIELD_KEYS", "GRIDGOV_LOOKUP_KEY", "AUDIT_HMAC_KEY")


@pytest.fixture
def started(monkeypatch):
    calls = []
    monkeypatch.setattr(serve, "run_gunicorn",
                        lambda *args, **kwargs: calls.append(args + tuple(kwargs.values())))
    for name in KEY_VARS:  # the check reads the environment after the settings
        monkeypatch.delenv(name, raising=False)
    return calls


@pytest.fixture
def production(settings):
    settings.SECRET_KEY = SECRET
    settings.GRIDGOV_FIELD_KEYS = f"{FIELD},{OLD_FIELD}"
    settings.GRIDGOV_LOOKUP_KEY = LOOKUP
    settings.AUDIT_HMAC_KEY = AUDIT
    return settings


def _refused(*args) -> str:
    with pytest.raises(CommandError) as info:
        call_command("serve", *args)
    return str(info.value)


def test_defaults_are_refused_naming_every_key(started, settings):
    settings.SECRET_KEY = keys_check.DEMO_SECRET_KEY
    settings.AUDIT_HMAC_KEY = keys_check.DEMO_SECRET_KEY
    settings.GRIDGOV_FIELD_KEYS = ""
    settings.GRIDGOV_LOOKUP_KEY = ""
    text = _refused()
    assert started == []
    for name in KEY_VARS:
        assert f"{name}:" in text
    assert "gridgov basedata new_key" in text and "secrets.token_urlsafe" in text


def test_the_settings_default_is_the_demo_key():
    if not os.environ.get("SECRET_KEY"):
        from django.conf import settings

        assert settings.SECRET_KEY == keys_check.DEMO_SECRET_KEY


def test_all_keys_set_serves(started, production):
    call_command("serve", "--workers", "2")
    assert started == [("127.0.0.1:8000", 2, 1, 120)]


@pytest.mark.parametrize("name, value, says", [
    ("SECRET_KEY", keys_check.DEMO_SECRET_KEY, "public demo key"),
    ("SECRET_KEY", "", "public demo key"),
    ("SECRET_KEY", "short", "shorter than 32"),
    ("GRIDGOV_FIELD_KEYS", "", "derived from SECRET_KEY"),
    ("GRIDGOV_FIELD_KEYS", [], "derived from SECRET_KEY"),
    ("GRIDGOV_FIELD_KEYS", base64.b64encode(bytes(16)).decode(), "32 bytes"),
    ("GRIDGOV_FIELD_KEYS", "not base64!", "32 bytes"),
    ("GRIDGOV_LOOKUP_KEY", "", "derived from SECRET_KEY"),
    ("GRIDGOV_LOOKUP_KEY", "@@@", "base64"),
    ("AUDIT_HMAC_KEY", SECRET, "own key"),  # the settings fallback: AUDIT_HMAC_KEY = SECRET_KEY
    ("AUDIT_HMAC_KEY", "", "own key"),
    ("AUDIT_HMAC_KEY", keys_check.DEMO_SECRET_KEY, "own key"),
    ("AUDIT_HMAC_KEY", "tiny", "shorter than 32"),
])
def test_each_missing_key_is_refused(started, production, name, value, says):
    setattr(production, name, value)
    text = _refused()
    assert started == []
    assert f"{name}: " in text and says in text
    others = [n for n in KEY_VARS if n != name]
    assert not any(f"  {n}: " in text for n in others)


def test_keys_from_the_environment_count(started, settings, monkeypatch):
    # personal_data reads GRIDGOV_FIELD_KEYS / GRIDGOV_LOOKUP_KEY from the environment too.
    settings.SECRET_KEY, settings.AUDIT_HMAC_KEY = SECRET, AUDIT
    settings.GRIDGOV_FIELD_KEYS = settings.GRIDGOV_LOOKUP_KEY = ""
    monkeypatch.setenv("GRIDGOV_FIELD_KEYS", FIELD)
    monkeypatch.setenv("GRIDGOV_LOOKUP_KEY", LOOKUP)
    assert keys_check.problems() == []


def test_bad_options_are_reported_before_keys(started):
    with pytest.raises(CommandError, match="--workers must be at least 1"):
        call_command("serve", "--workers", "0")


def test_command_line_exit_status_is_non_zero(monkeypatch, capsys):
    """Through ``gridgov serve`` as a shell runs it: message on stderr, exit status 1."""
    from gridgov import cli

    calls = []
    monkeypatch.setattr(serve, "run_gunicorn", lambda *args: calls.append(args))
    monkeypatch.setattr(keys_check, "problems", lambda: [
        ("SECRET_KEY", "not set (the public demo key is in use)", keys_check.TEXT_KEY_HOWTO)])
    with pytest.raises(SystemExit) as info:
        cli.main(["serve"])
    assert info.value.code == 1 and calls == []
    err = capsys.readouterr().err
    assert "SECRET_KEY: not set" in err and "Refusing to start" in err


@pytest.mark.django_db
def test_demo_still_serves_on_the_defaults(started, settings, monkeypatch):
    """``gridgov demo`` is the embedded demo: it serves on the derived keys."""
    # demo marks its process as the demo (GRIDGOV_DEMO=1); monkeypatch takes the mark back
    # afterwards, so the rest of the session is not the demo.
    monkeypatch.setenv(keys_check.DEMO_ENV, "")
    settings.SECRET_KEY = settings.AUDIT_HMAC_KEY = keys_check.DEMO_SECRET_KEY
    settings.GRIDGOV_FIELD_KEYS = settings.GRIDGOV_LOOKUP_KEY = ""
    assert keys_check.problems()  # what serve would refuse
    call_command("demo", "--port", "8001", stdout=io.StringIO(), stderr=io.StringIO())
    assert started and started[0][0] == "127.0.0.1:8001"
