"""The verification checkpoint (``AuditVerification``): where the last successful ``verify``
got to, signed with the audit key, so the next run can be incremental.

``start()`` fixes, before a run reads anything, what the run will be able to vouch for: the
records up to the highest id older than ``anchor.GRACE`` (a transaction still open is not
passed over, the assumption of the seals), the latest anchor and purge mark. ``save()`` writes
it after the run found nothing broken. ``usable()`` gives the latest checkpoint an incremental
run may start from, or says why not (then the run is full).
"""

import datetime as dt
import hashlib
import hmac
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from .anchor import GRACE
from .keys import current_key
from .models import AuditAnchor, AuditPurgeMark, AuditRecord, AuditVerification

FULL = "full"
INCREMENTAL = "incremental"


def signature(v, key: bytes | None = None) -> str:
    """The HMAC of a verification checkpoint's fields under ``key`` (default: current)."""
    message = (f"verification|{v.upto_id}|{v.record_count}|"
               f"{v.anchor_day.isoformat() if v.anchor_day else ''}|{v.anchor_hash}|"
               f"{v.mark_hash}|{v.mode}|{v.records_checked}|"
               f"{v.at.astimezone(dt.UTC).isoformat(timespec='microseconds')}")
    return hmac.new(key if key is not None else current_key(), message.encode("utf-8"),
                    hashlib.sha256).hexdigest()


@dataclass
class Reach:
    """What a run starting now can vouch for once it finds nothing broken."""

    upto_id: int
    record_count: int
    anchor_day: dt.date | None
    anchor_hash: str
    mark_hash: str


def start(now: dt.datetime | None = None, known=None) -> Reach:
    """The reach of a run starting at ``now``: taken before the run reads, so that records
    written during it are left to the next run. ``known`` = (id, count of records up to it),
    as an incremental run has just counted them: only the records after it are counted."""
    cutoff = (now or timezone.now()) - GRACE
    upto = AuditRecord.objects.filter(at__lt=cutoff).aggregate(m=Max("id"))["m"] or 0
    if known is not None and known[0] <= upto:
        count = known[1] + AuditRecord.objects.filter(id__gt=known[0], id__lte=upto).count()
    else:
        count = AuditRecord.objects.filter(id__lte=upto).count()
    anchor = AuditAnchor.objects.order_by("-day").values_list("day", "hash").first()
    mark = AuditPurgeMark.objects.order_by("-cut_day").values_list("hash", flat=True).first()
    return Reach(upto_id=upto, record_count=count,
                 anchor_day=anchor[0] if anchor else None, anchor_hash=anchor[1] if anchor else "",
                 mark_hash=mark or "")


@contextmanager
def few_rows(enabled: bool):
    """Around an incremental run's reads on PostgreSQL: plan the streamed queries for all
    their rows (``cursor_tuple_fraction = 1``). A server-side cursor is planned for its first
    rows by default, which walks the whole (chain_key, seq) or id index in order to find the
    few records after the checkpoint instead of fetching them and sorting."""
    if not enabled or connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL cursor_tuple_fraction = 1")
        yield


def usable(ring) -> tuple[AuditVerification | None, str, bool]:
    """(the latest checkpoint an incremental run may build on, why not, forged?).

    None with a reason when there is none, when it was signed with another key than the
    current one (after a rotation the first run is full), or when a purge ran since (the
    records it counted are gone). ``forged`` is True when its HMAC is no key's: somebody
    wrote it to make runs skip records, which is itself tampering."""
    latest = AuditVerification.objects.order_by("-id").first()
    if latest is None:
        return None, "no earlier verification", False
    if not hmac.compare_digest(signature(latest, ring.current), latest.hash):
        forged = not any(hmac.compare_digest(signature(latest, key), latest.hash)
                         for _kid, key in ring.old)
        return None, ("the last verification checkpoint does not verify" if forged
                      else "the last verification was signed with a retired key"), forged
    mark = AuditPurgeMark.objects.order_by("-cut_day").values_list("hash", flat=True).first()
    if (mark or "") != latest.mark_hash:
        return None, "a purge ran since the last verification", False
    return latest, "", False


def save(reach: Reach, mode: str, records_checked: int) -> AuditVerification | None:
    """Write the checkpoint of a run that found nothing broken; None when another run wrote
    the same one at the same moment (the hash is unique)."""
    v = AuditVerification(upto_id=reach.upto_id, record_count=reach.record_count,
                          anchor_day=reach.anchor_day, anchor_hash=reach.anchor_hash,
                          mark_hash=reach.mark_hash, mode=mode, records_checked=records_checked,
                          at=timezone.now())
    v.hash = signature(v)
    try:
        with transaction.atomic():
            v.save()
    except IntegrityError:
        return None
    return v
