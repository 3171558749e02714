"""Verbs of the notifications app: tell people (in-app and by SMS) and mark messages read.

``notify`` is called by the event receivers and the deadline job, after the transition that
caused it has committed; it writes the in-app rows and one audit record in one transaction,
and hands the SMS messages to the configured backend once that transaction has committed.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.audit.recorder import record
from gridgov.core.personal_data import mask_phone

from . import backends
from .choices import SMS_KINDS, Kind
from .models import Notification

MAX_TEXT = 500


def _recipients(users) -> list:
    seen: set[int] = set()
    out = []
    for user in users:
        if user is None or not getattr(user, "pk", None) or user.pk in seen:
            continue
        if not getattr(user, "is_active", True):
            continue
        seen.add(user.pk)
        out.append(user)
    return out


def notify(users, *, kind, text, event=None, phones=(), dedupe_key="", actor=None,
           sms=True) -> list[Notification]:
    """Tell ``users`` in-app (and by SMS for the kinds that need action) about ``event``.

    ``phones`` are extra numbers told by SMS only (a resident who reported without an
    account). ``dedupe_key`` makes the call idempotent per person: a person who already has a
    notification with that key is not told again. Returns the notifications created.
    """
    if kind not in Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    text = str(text)[:MAX_TEXT]
    recipients = _recipients(users)
    if dedupe_key and recipients:
        told = set(
            Notification.objects.filter(
                dedupe_key=dedupe_key, user_id__in=[u.pk for u in recipients]
            ).values_list("user_id", flat=True)
        )
        recipients = [u for u in recipients if u.pk not in told]
    phones = [p for p in dict.fromkeys(phones or ()) if p]
    if not recipients and not phones:
        return []
    rows = [
        Notification(user=u, kind=kind, event=event, text=text, dedupe_key=dedupe_key)
        for u in recipients
    ]
    with transaction.atomic():
        created = Notification.objects.bulk_create(rows, ignore_conflicts=bool(dedupe_key))
        record(
            "notifications.send", actor=actor,
            object_type="events.event" if event is not None else "notifications.notification",
            object_id=event.pk if event is not None else "-",
            # Without a case, the record is named by the kind's label (派遣), not its code.
            object_repr=(str(event)[:200] if event is not None
                         else str(Kind(kind).label) if kind in Kind.values else kind),
            chain_key=f"notifications:{event.pk if event is not None else '-'}",
            after={
                "kind": kind,
                "users": sorted(u.pk for u in recipients),
                "phones": [mask_phone(p) for p in phones],
                "text": text,
            },
        )
        if sms and kind in SMS_KINDS:
            numbers = [u.phone for u in recipients if getattr(u, "phone", "")] + phones
            messages = [backends.SMSMessage(phone=n, text=text) for n in dict.fromkeys(numbers)]
            if messages:
                transaction.on_commit(lambda: backends.send(messages))
    return created


def _require_owner(notification, actor):
    if actor is None or getattr(actor, "pk", None) != notification.user_id:
        raise PermissionDenied(_("只能标记自己的通知。"))


def mark_read(notification: Notification, *, actor) -> Notification:
    """Mark one of the actor's own notifications read (idempotent)."""
    _require_owner(notification, actor)
    if notification.read_at is not None:
        return notification
    with transaction.atomic():
        now = timezone.now()
        updated = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=now
        )
        if updated:
            record("notifications.read", actor=actor, obj=notification,
                   before={"read_at": None}, after={"read_at": now.isoformat()})
        notification.read_at = now
    return notification


def mark_all_read(*, actor) -> int:
    """Mark every unread notification of the actor read; the number marked."""
    if actor is None or not getattr(actor, "pk", None):
        raise PermissionDenied(_("只能标记自己的通知。"))
    with transaction.atomic():
        now = timezone.now()
        count = Notification.objects.filter(user_id=actor.pk, read_at__isnull=True).update(
            read_at=now
        )
        if count:
            record("notifications.read_all", actor=actor, object_type="accounts.user",
                   object_id=actor.pk, object_repr=str(actor),
                   chain_key=f"notifications.user:{actor.pk}",
                   after={"marked": count, "at": now.isoformat()})
    return count
