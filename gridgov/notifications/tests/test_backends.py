"""SMS backends: console (masked), in-memory, configurable, failures contained."""

import io

import pytest
from django.test import override_settings

from gridgov.notifications import backends
from gridgov.notifications.backends import ConsoleSMSBackend, SMSMessage


def test_console_backend_masks_the_number():
    stream = io.StringIO()
    sent = ConsoleSMSBackend(stream=stream).send_messages(
        [SMSMessage("13800000001", "事件已派遣"), SMSMessage("13912345678", "请核查")])
    assert sent == 2
    text = stream.getvalue()
    assert "138****0001: 事件已派遣" in text
    assert "139****5678: 请核查" in text
    assert "13800000001" not in text


def test_default_backend_is_the_console():
    assert isinstance(backends.get_backend(), ConsoleSMSBackend)


def test_backend_is_chosen_by_setting(outbox):
    assert backends.send([SMSMessage("13800000001", "hello")]) == 1
    assert outbox == [SMSMessage("13800000001", "hello")]


class Broken(backends.BaseSMSBackend):
    def send_messages(self, messages):
        raise ConnectionError("gateway down")


def test_a_failing_gateway_is_logged_not_raised(caplog):
    with override_settings(GRIDGOV_SMS_BACKEND=f"{__name__}.Broken"):
        assert backends.send([SMSMessage("13800000001", "x")]) == 0
    assert "SMS backend failed" in caplog.text


def test_base_backend_must_be_implemented():
    with pytest.raises(NotImplementedError):
        backends.BaseSMSBackend().send_messages([])


def test_nothing_to_send_does_not_touch_the_backend(outbox):
    assert backends.send([]) == 0
    assert outbox == []
