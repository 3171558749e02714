"""The server reminds party secretaries of 换届 by itself, without Celery.

Each server process runs ``actions.send_term_reminders`` after a response at most every
``GRIDGOV_PARTY_TERM_REMINDER_SECONDS`` (0 or unset: off), like ``events.autoscan``
(``gridgov.core.periodic.Periodic``: one thread at a time, a failure logged and retried,
never breaking a request). Celery beat runs the same job (``tasks.send_term_reminders``).
Each secretary is told once per organisation and term end (the notification's dedupe key).
"""

from gridgov.core.periodic import Periodic


def _remind():
    from .actions import send_term_reminders

    return send_term_reminders(actor=None)


job = Periodic("party_term_reminders", "GRIDGOV_PARTY_TERM_REMINDER_SECONDS", _remind,
               failure="party term reminders failed")

reset = job.reset
install = job.install
uninstall = job.uninstall
