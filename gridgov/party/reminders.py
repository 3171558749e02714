"""The scheduled job that reminds party secretaries of 换届 (``party_term_reminders``).

``actions.send_term_reminders`` at most every ``GRIDGOV_PARTY_TERM_REMINDER_SECONDS`` (0 or
unset: off), by the server's scheduler thread or by Celery beat at 07:30
(``gridgov.core.periodic``). Each secretary is told once per organisation and term end (the
notification's dedupe key).
"""

from django.utils.translation import gettext_lazy as _

from gridgov.core.periodic import Periodic


def _remind():
    from .actions import send_term_reminders

    return send_term_reminders(actor=None)


job = Periodic("party_term_reminders", "GRIDGOV_PARTY_TERM_REMINDER_SECONDS", _remind,
               failure="party term reminders failed",
               label=_("提醒党组织换届"))

reset = job.reset
install = job.install
uninstall = job.uninstall
