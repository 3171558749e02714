"""``record()``: the one way to write an audit record. Called inside every action."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from gridgov.core.context import current_client_ip, current_request_id

from .chain import GENESIS, record_hash
from .models import AuditRecord, ChainHead


def _now() -> dt.datetime:
    """The record time (UTC). One indirection so tests can write records on past days."""
    return timezone.now().astimezone(dt.UTC)


def jsonable(value):
    """A JSON-safe form of a field value for the before/after difference."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if hasattr(value, "pk"):
        return value.pk
    return str(value)


def snapshot(obj, fields) -> dict:
    """The values of ``fields`` on ``obj`` (foreign keys by id), for ``diff``."""
    out = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        out[name] = jsonable(getattr(obj, attname))
    return out


def diff(before: dict | None, after: dict | None) -> dict:
    """{field: [old, new]} for the fields that differ."""
    before = before or {}
    after = after or {}
    out = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            out[key] = [old, new]
    return out


def _actor_fields(actor, role):
    if actor is None:
        # System loaders and periodic jobs act without a person.
        return None, "system", role or "system"
    if not getattr(actor, "is_authenticated", False):
        return None, "", role or ""
    actor_id = actor.pk if isinstance(actor.pk, int) else None
    name = getattr(actor, "audit_name", None) or actor.get_username()
    if not role:
        from gridgov.core.access import get_scope

        scope = get_scope(actor)
        role = ",".join(sorted(scope.roles)) if scope else ""
    return actor_id, name, role


def record(action: str, *, actor=None, obj=None, object_type: str = "", object_id="",
           object_repr: str = "", before: dict | None = None, after: dict | None = None,
           changes: dict | None = None, remark: str = "", role: str = "",
           chain_key: str = "", new_chain: bool = False, using: str = "default") -> AuditRecord:
    """Append one audit record to the chain of ``obj`` (or of ``object_type:object_id``).

    Must run inside the action's transaction, so the record exists if and only if the change
    does. Only the chain head row of this object is locked, not the whole log.

    ``new_chain=True`` starts the chain of an object created in this same transaction (its
    first record): the head is inserted directly at seq 1, without reading or locking it first
    (one INSERT instead of SELECT … FOR UPDATE + INSERT + UPDATE). Nobody else can write to
    that chain before the commit, as nobody else can see the object yet; if a head did exist
    already, the INSERT fails on its primary key and the whole action rolls back.

    ``using`` names the database connection (the retention purge writes on its own).
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = str(obj.pk) if obj.pk is not None else str(object_id)
        object_repr = object_repr or str(obj)[:200]
    object_id = str(object_id)
    # Truncated like the column; two objects sharing a chain would still verify.
    chain_key = (chain_key or f"{object_type}:{object_id}")[:120]
    actor_id, actor_name, role = _actor_fields(actor, role)
    # No savepoint of its own: if the record cannot be written, the caller's whole action
    # must roll back with it (and two fewer round trips per record).
    heads = ChainHead.objects.using(using)
    with transaction.atomic(using=using, savepoint=False):
        if new_chain:
            head = None
            seq, prev_hash = 1, GENESIS
        else:
            head, _ = heads.select_for_update().get_or_create(chain_key=chain_key)
            seq, prev_hash = head.seq + 1, head.last_hash or GENESIS
        rec = AuditRecord(
            chain_key=chain_key,
            seq=seq,
            # Taken under the head lock, so times never go backwards within a chain.
            at=_now(),
            actor_id=actor_id,
            actor_name=actor_name[:150],
            role=role[:120],
            action=action,
            object_type=object_type[:60],
            object_id=object_id[:64],
            object_repr=object_repr[:200],
            changes=jsonable(changes if changes is not None else diff(before, after)),
            remark=remark,
            request_id=current_request_id(),
            client_ip=current_client_ip()[:64],
        )
        rec.prev_hash = prev_hash
        rec.hash = record_hash(rec, rec.prev_hash)
        if head is None:
            # Head first: an existing head (which cannot happen for a new object) fails here,
            # before the record is written.
            heads.create(chain_key=chain_key, seq=rec.seq, last_hash=rec.hash)
            rec.save(using=using)
        else:
            rec.save(using=using)
            heads.filter(pk=head.pk).update(seq=rec.seq, last_hash=rec.hash)
    return rec
