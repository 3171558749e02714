"""Daily anchors: each closed day's records sealed by count and digest, chained day to day.

Per-object chains catch an edited, inserted or reordered record and a record deleted from the
middle of a chain; an anchor also catches a record deleted from the end of a chain, or a whole
chain deleted, once its day is sealed. The open day is sealed by checkpoints
(``gridgov.audit.seal``). Every new anchor is also copied out of the database
(``gridgov.audit.anchor_log``).
"""

import datetime as dt
import zoneinfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import anchor_log
from .chain import GENESIS, anchor_hash, digest_hashes
from .models import AuditAnchor, AuditPurgeMark, AuditRecord

CHUNK = 2000
# A record's time is taken before its transaction commits; waiting a little after midnight
# before sealing the day keeps a transaction that straddles midnight inside its day's seal.
GRACE = dt.timedelta(minutes=10)


def local_tz():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def local_day(at: dt.datetime, tz=None) -> dt.date:
    """The day (in settings.TIME_ZONE) a record time belongs to."""
    return at.astimezone(tz or local_tz()).date()


def day_bounds(day: dt.date, tz=None) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a local day as aware datetimes."""
    tz = tz or local_tz()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def chain_start():
    """(floor day, prev hash) the next anchor continues from: the last anchor, else the last
    purge mark (whose anchors were purged), else the genesis."""
    last = AuditAnchor.objects.order_by("-day").first()
    if last is not None:
        return last.day, last.hash
    mark = AuditPurgeMark.objects.order_by("-cut_day").first()
    if mark is not None:
        return mark.cut_day, mark.anchor_hash
    return None, GENESIS


def seal_values(day: dt.date, tz=None) -> tuple[int, str, int | None, int | None]:
    """(count, digest, first id, last id) of a day's records, streamed in id order."""
    start, end = day_bounds(day, tz)
    rows = (AuditRecord.objects.filter(at__gte=start, at__lt=end).order_by("id")
            .values_list("id", "hash").iterator(chunk_size=CHUNK))
    count, first_id, last_id = 0, None, None

    def hashes():
        nonlocal count, first_id, last_id
        for pk, value in rows:
            count += 1
            first_id = pk if first_id is None else first_id
            last_id = pk
            yield value

    digest = digest_hashes(hashes())
    return count, digest, first_id, last_id


def default_until(now=None) -> dt.date:
    now = now or timezone.now()
    return local_day(now - GRACE)


def anchor_closed_days(until=None) -> list[AuditAnchor]:
    """Seal, in order, every day before ``until`` (default: today, local time) that has records
    and no anchor yet, each chained to the previous anchor. Running it again changes nothing."""
    tz = local_tz()
    if until is None:
        until = default_until()
    elif isinstance(until, dt.datetime):
        until = local_day(until, tz)
    created = []
    raced = set()
    while True:
        floor_day, prev_hash = chain_start()
        records = AuditRecord.objects.all()
        if floor_day is not None:
            # Only days after the last seal: an earlier day is never sealed out of order.
            records = records.filter(at__gte=day_bounds(floor_day, tz)[1])
        first_at = records.order_by("at").values_list("at", flat=True).first()
        if first_at is None:
            break
        day = local_day(first_at, tz)
        if day >= until:
            break
        count, digest, first_id, last_id = seal_values(day, tz)
        anchor = AuditAnchor(day=day, record_count=count, records_digest=digest,
                             first_id=first_id, last_id=last_id, prev_hash=prev_hash)
        anchor.hash = anchor_hash(day, count, digest, first_id, last_id, prev_hash)
        try:
            with transaction.atomic():
                anchor.save()
                anchor_log.write(anchor)
        except IntegrityError:
            # Another worker sealed this day at the same moment; continue from its anchor.
            if day in raced:
                raise
            raced.add(day)
            continue
        created.append(anchor)
    return created
