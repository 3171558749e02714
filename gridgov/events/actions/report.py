"""Taking in a report: the one writer every intake channel ends in.

``report_event`` creates the event (``reported``, or ``held`` for review), its number, its
first stage deadline, and the first step of its trace, in one transaction. The channels
(``actions.intake``) check who may use them and clean their input before they call it.
"""

import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.areas.datum import to_wgs84
from gridgov.areas.index import lookup_grid

from .. import deadlines
from ..choices import Nature, Source, State, Urgency
from ..models import Event
from .base import MAX_TEXT, category_of, text, trace, user_or_none
from .files import prepare_attachments


def _next_number(event_id, when) -> str:
    return f"E{timezone.localtime(when):%Y%m%d}{event_id:08d}"


def _reserve_event_id() -> int | None:
    """The next event id from PostgreSQL's sequence (None elsewhere: SQLite has none).

    Ids drawn this way and by a plain INSERT come from the same sequence, so they never
    collide; a rolled-back report leaves a gap, as a failed INSERT does."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))",
                       [Event._meta.db_table])
        return cursor.fetchone()[0]


def report_event(*, source, description, lng, lat, crs="wgs84", actor=None, category=None,
                 nature="request", urgency="normal", address="", reporter_name="",
                 reporter_phone="", camera_code="", external_id="", idempotency_key=None,
                 attachments=(), hold_reason="", description_max=MAX_TEXT,
                 observed_at=None, accuracy_m=None, position_corrected=None) -> Event:
    """Take in a report from any channel: the event starts ``reported`` (or ``held``).

    ``observed_at`` (when the reporter saw the problem; default: now), ``accuracy_m`` (the
    device's position fix) and ``position_corrected`` (the point moved by hand) come from
    the field terminal, checked by the channel (``actions.intake``); the report step's audit
    record keeps them.

    The grid comes from the point (``areas.index.lookup_grid``; outside the district:
    ``ValidationError`` on ``location``). The same ``idempotency_key`` returns the event it
    created the first time. A non-empty ``hold_reason`` (harmful-content filter) holds the
    report for review instead.
    """
    if idempotency_key:
        idempotency_key = str(idempotency_key)[:100]
        existing = Event.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    if source not in Source.values:
        raise ValidationError({"source": _("未知的来源。")})
    if nature not in Nature.values:
        raise ValidationError({"nature": _("未知的诉求性质。")})
    if urgency not in Urgency.values:
        raise ValidationError({"urgency": _("未知的紧急程度。")})
    # A channel may allow a longer text than the default (Open311: the spec's 4,000).
    description = text(description, "description", max_length=description_max)
    try:
        lng_f, lat_f = float(lng), float(lat)
    except (TypeError, ValueError):
        raise ValidationError({"location": _("经纬度格式不正确。")}) from None
    try:
        grid = lookup_grid(lng_f, lat_f, crs)  # OutsideJurisdiction: error on "location"
    except ValueError:
        raise ValidationError({"crs": _("未知的坐标系。")}) from None
    wlng, wlat = to_wgs84(lng_f, lat_f, crs)
    category = category_of(category)
    prepared = prepare_attachments(attachments)
    user = user_or_none(actor)
    now = timezone.now()
    event = Event(
        number=uuid.uuid4().hex[:20], source=source, nature=nature, urgency=urgency,
        state=State.HELD if hold_reason else State.REPORTED, category=category,
        description=description, lng=wlng, lat=wlat, address=text(
            address, "address", required=False, max_length=200),
        grid=grid, area_code=grid.code, reporter_user=user,
        reporter_name=text(reporter_name, "reporter_name", required=False, max_length=50),
        reporter_phone=text(reporter_phone, "reporter_phone", required=False, max_length=20),
        camera_code=text(camera_code, "camera_code", required=False, max_length=20),
        external_id=text(external_id, "external_id", required=False, max_length=64),
        idempotency_key=idempotency_key or None, hold_reason=hold_reason or "",
        created_at=now, updated_at=now, observed_at=observed_at or now,
        accuracy_m=accuracy_m, position_corrected=position_corrected,
    )
    # Only what a device said joins the audit record (other channels' records stay as
    # they were).
    device = {"observed_at": observed_at.isoformat()} if observed_at else {}
    if accuracy_m is not None:
        device["accuracy_m"] = accuracy_m
    if position_corrected:
        device["position_corrected"] = True
    if not hold_reason:
        event.stage_deadline, event.deadline_note = deadlines.dispatch_deadline(event, now)
        event.stage_started_at = now
    try:
        # A savepoint only where an IntegrityError is answered (a concurrent same-key report);
        # any other failure rolls back the caller's whole transaction anyway.
        with transaction.atomic(savepoint=bool(idempotency_key)):
            # The number embeds the id: on PostgreSQL the id is drawn from its sequence
            # first, so one INSERT writes both; elsewhere the number follows the INSERT.
            event.pk = _reserve_event_id()
            if event.pk is not None:
                event.number = _next_number(event.pk, now)
                event.save(force_insert=True)
            else:
                event.save(force_insert=True)
                event.number = _next_number(event.pk, now)
                Event.objects.filter(pk=event.pk).update(number=event.number)
            # A new event ends no stage: its step has no deadline to meet.
            trace(event, "report", actor=actor, before=None, from_state="",
                  prepared=prepared, data={"hold_reason": hold_reason or ""},
                  extra=device or None, new_chain=True)
    except IntegrityError:
        if idempotency_key:
            existing = Event.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing
        raise
    return event

