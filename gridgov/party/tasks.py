"""Celery task of the party app (beat: daily; each server process also runs it by itself,
``reminders``)."""

from celery import shared_task


@shared_task(name="gridgov.party.tasks.send_term_reminders")
def send_term_reminders() -> int:
    """Tell the secretaries of organisations whose term ends within 90 days (once)."""
    from .actions import send_term_reminders as send

    return send(actor=None)
