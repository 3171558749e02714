"""Pluggable SMS backends (settings ``GRIDGOV_SMS_BACKEND``, a dotted class path).

A backend receives ``SMSMessage`` objects after the transaction that raised them has
committed. The console backend (the default) logs each message with the number masked; the
in-memory backend keeps them in ``outbox`` for tests. A real gateway subclasses
``BaseSMSBackend`` and implements ``send_messages``.
"""

import logging
import sys
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from gridgov.core.personal_data import mask_phone

DEFAULT_BACKEND = "gridgov.notifications.backends.ConsoleSMSBackend"
logger = logging.getLogger("gridgov.sms")


@dataclass(frozen=True)
class SMSMessage:
    """One text message to one mobile number."""

    phone: str
    text: str


class BaseSMSBackend:
    """The interface: send a batch, return how many were accepted by the gateway."""

    def send_messages(self, messages: list[SMSMessage]) -> int:
        raise NotImplementedError("an SMS backend must implement send_messages()")


class ConsoleSMSBackend(BaseSMSBackend):
    """Write each message to standard error (the number masked: logs are not a phone book)."""

    def __init__(self, stream=None):
        self.stream = stream

    def send_messages(self, messages):
        stream = self.stream or sys.stderr
        for message in messages:
            stream.write(f"[SMS] {mask_phone(message.phone)}: {message.text}\n")
        stream.flush()
        return len(messages)


outbox: list[SMSMessage] = []


class LocmemSMSBackend(BaseSMSBackend):
    """Keep messages in ``gridgov.notifications.backends.outbox`` (tests)."""

    def send_messages(self, messages):
        outbox.extend(messages)
        return len(messages)


class NullSMSBackend(BaseSMSBackend):
    """Send nothing (deployments without an SMS gateway)."""

    def send_messages(self, messages):
        return 0


def get_backend() -> BaseSMSBackend:
    path = getattr(settings, "GRIDGOV_SMS_BACKEND", "") or DEFAULT_BACKEND
    return import_string(path)()


def send(messages: list[SMSMessage]) -> int:
    """Hand messages to the configured backend; a gateway failure never breaks the caller."""
    if not messages:
        return 0
    try:
        return get_backend().send_messages(messages)
    except Exception:  # noqa: BLE001  (the in-app notification is already stored)
        logger.exception("SMS backend failed to send %d message(s)", len(messages))
        return 0
