"""A year of events at city volume: each case drawn by the demo history's model
(``gridgov.demo.history.plan.simulate``: the closed loop with its side branches, its times and
the fields every action changes), written with ``COPY`` instead of the history's INSERTs.

Per case, as ``gridgov.events.actions`` leaves it: the event row (counters, deadlines, grid,
department, category), one audit record per step on the event's own chain
(``events.event:<pk>``, hashed with ``gridgov.audit.chain.record_hash`` in chain order, with
the same ``history`` entry as ``gridgov.demo.history`` since the record is written now about a
past moment), the ``EventStep`` row indexing each record, the extension and suspension
requests and the chain head. The cases are numbered in the order they were reported, so ids
grow with ``created_at`` as on a real install.

The cases are drawn and encoded in worker processes (``jobs``); the main process only
streams the encoded rows into the tables, in one transaction.
"""

import datetime as dt
import hashlib
import hmac
import json
import random
from json.encoder import encode_basestring

from django.utils import timezone

from gridgov.audit import recorder
from gridgov.audit.chain import GENESIS, record_hash
from gridgov.audit.keys import current_key
from gridgov.audit.models import AuditRecord, ChainHead
from gridgov.core.personal_data import phone_columns
from gridgov.events.models import Event, EventRequest, EventStep

from ..history import plan
from ..history import write as history_write
from . import sink

KEY_PREFIX = "scale-event-"
CHUNK = 2_000
MARK = "gridgov scale"

# Filled by ``prepare`` in the main process before the workers fork (they inherit it).
_STATE: dict = {}


def key(index: int) -> str:
    """The idempotency key of generated case ``index``."""
    return f"{KEY_PREFIX}{index:07d}"


def _fields(model, first=None, skip=("id",)):
    """The columns written for ``model``: ``first`` (a column the main process fills in)
    leads, ``skip`` are left to the database (serial ids)."""
    out = [f for f in sink.columns(model) if f.attname not in skip and f.attname != first]
    if first:
        out.insert(0, model._meta.get_field(first.removesuffix("_id")))
    return out


def prepare(seed: int, now=None, months: int = 12) -> None:
    """Read what the cases are drawn from (once, before the workers fork)."""
    from gridgov.accounts.models import User

    ctx = history_write.context(seed, now, months)
    actors = {None: recorder._actor_fields(None, "")}
    ids = {}
    for user in User.objects.filter(username__in=list(ctx.users)):
        actors[user.username] = recorder._actor_fields(user, ctx.users[user.username][1])
        ids[user.username] = user.pk
    _STATE.update(
        ctx=ctx, seed=seed, postgres=sink.is_postgres(), key=current_key(), actors=actors,
        user_ids=ids,
        event_fields=_fields(Event, skip=()), record_fields=_fields(AuditRecord, "id", ()),
        step_fields=_fields(EventStep, "audit_record_id"),
        request_fields=_fields(EventRequest), head_fields=_fields(ChainHead, skip=()),
        defaults={m: sink.defaults(m) for m in (Event, AuditRecord, EventStep, EventRequest,
                                                ChainHead)},
    )
    _check_hash()


def order(count: int) -> list[int]:
    """Case indexes ``0 .. count-1`` in the order they were reported: the first draws of
    ``plan.simulate`` (street, day, source, time) replayed, which fix the report time."""
    ctx, seed = _STATE["ctx"], _STATE["seed"]
    tz = ctx.now.tzinfo
    keyed = []
    for index in range(count):
        rng = random.Random(seed * 10_000_019 + index)
        plan._pick(rng, ctx.streets, ctx.street_weights)
        day = plan._pick(rng, ctx.days, ctx.day_weights)
        source, _callers = plan._pick_source(rng)
        keyed.append((plan._report_time(rng, day, source, tz), index))
    keyed.sort()
    return [index for _at, index in keyed]


def _encode(model, fields, values: dict, skip_first: bool):
    """A row for ``sink.write``: a ``COPY`` line on PostgreSQL, a tuple elsewhere (without
    the leading column the main process fills in when ``skip_first``)."""
    row = sink.row_of(fields[1:] if skip_first else fields, values, _STATE["defaults"][model])
    return sink.copy_line(row) if _STATE["postgres"] else row


def _event_values(case, pk: int) -> dict:
    ev = case.event
    values = {name: ev[name] for name in history_write.EVENT_COLUMNS}
    values.update(id=pk, idempotency_key=key(case.index), merged_into_id=None,
                  number=f"E{timezone.localtime(ev['created_at']):%Y%m%d}{pk:08d}")
    values.update(phone_columns(ev.get("reporter_phone", ""), "reporter_phone"))
    return values


def _norm(value):
    """``chain._normalise`` for the values a step's changes hold (integral floats as ints)."""
    kind = type(value)
    if kind is float:
        return int(value) if value.is_integer() else value
    if kind is dict:
        return {str(k): _norm(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [_norm(v) for v in value]
    return value


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=str)


def _scalar(value) -> str:
    """JSON of a str, int or None as ``json.dumps(ensure_ascii=False)`` writes it."""
    if value is None:
        return "null"
    if type(value) is str:
        return encode_basestring(value)
    return _dumps(value)


def fast_hash(rec: dict, changes_json: str, prev: str, key: bytes) -> str:
    """``chain.record_hash`` of ``rec``, with its changes already serialised canonically:
    the canonical payload is assembled in key order around them instead of normalising and
    serialising the whole record again (``prepare`` checks both agree)."""
    d = _scalar
    payload = (
        f'{{"action":{d(rec["action"])},"actor_id":{d(rec["actor_id"])},'
        f'"actor_name":{d(rec["actor_name"])},'
        f'"at":{d(rec["at"].astimezone(dt.UTC).isoformat(timespec="microseconds"))},'
        f'"chain_key":{d(rec["chain_key"])},"changes":{changes_json},'
        f'"client_ip":{d(rec["client_ip"])},"object_id":{d(rec["object_id"])},'
        f'"object_repr":{d(rec["object_repr"])},"object_type":{d(rec["object_type"])},'
        f'"remark":{d(rec["remark"])},"request_id":{d(rec["request_id"])},'
        f'"role":{d(rec["role"])},"seq":{d(rec["seq"])}}}')
    return hmac.new(key, f"{prev}|{payload}".encode(), hashlib.sha256).hexdigest()


def _records(case, pk: int, number: str):
    """The audit records of the case's steps (without ids), hashed in chain order, and the
    chain's head."""
    chain, prev, out = f"events.event:{pk}", GENESIS, []
    actors, key_, postgres = _STATE["actors"], _STATE["key"], _STATE["postgres"]
    for seq, step in enumerate(case.steps, start=1):
        # The plan's changes are JSON values already (``recorder.jsonable`` was applied).
        changes = dict(step.changes)
        changes["history"] = [None, {"at": step.at.astimezone(dt.UTC).isoformat(), "by": MARK}]
        actor_id, actor_name, role = actors.get(step.actor) or actors[None]
        if step.actor is None:
            actor_id, actor_name, role = recorder._actor_fields(None, step.role)
        rec = {"chain_key": chain, "seq": seq, "at": recorder._now(), "actor_id": actor_id,
               "actor_name": actor_name[:150], "role": role[:120],
               "action": f"events.{step.action}", "object_type": "events.event",
               "object_id": str(pk), "object_repr": number, "remark": step.remark,
               "request_id": "", "client_ip": "", "prev_hash": prev}
        changes_json = _dumps(_norm(changes))
        rec["hash"] = prev = fast_hash(rec, changes_json, prev, key_)
        rec["changes"] = sink.Raw(changes_json) if postgres else changes
        out.append(rec)
    return out, {"chain_key": chain, "seq": len(out), "last_hash": prev}


def _check_hash() -> None:
    """Refuse to run if ``fast_hash`` and ``chain.record_hash`` ever disagree."""
    rec = {"chain_key": "events.event:1", "seq": 2, "at": recorder._now(), "actor_id": 7,
           "actor_name": "测试", "role": "grid_worker", "action": "events.verify",
           "object_type": "events.event", "object_id": "1", "object_repr": "E1",
           "remark": "现场\t核查\n\"通过\"", "request_id": "", "client_ip": "",
           "changes": {"lng": [None, 121.0], "lat": [1.5, 29.8], "x": [None, {"b": 1, "a": [2.0]}],
                       "state": ["completed", "closed"], "passed": [None, True]}}
    want = record_hash(rec, GENESIS)
    got = fast_hash(rec, _dumps(_norm(rec["changes"])), GENESIS, _STATE["key"])
    if want != got:
        raise RuntimeError("scale: fast_hash disagrees with gridgov.audit.chain.record_hash")


def _step_values(case, pk: int, area_code: str):
    ids = _STATE["user_ids"]
    for seq, step in enumerate(case.steps, start=1):
        met = None if step.stage_deadline is None else step.at <= step.stage_deadline
        # The report creates the event: no state before it (what ``report_event`` writes;
        # the history plan stamps "reported" there).
        from_state = "" if seq == 1 else step.from_state
        yield {"event_id": pk, "seq": seq, "action": step.action, "from_state": from_state,
               "to_state": step.to_state, "actor_id": ids.get(step.actor),
               "department_id": step.department_id, "at": step.at, "area_code": area_code,
               "stage_deadline": step.stage_deadline, "deadline_met": met}


def _request_values(case, pk: int):
    ids = _STATE["user_ids"]
    for r in case.requests:
        yield {"event_id": pk, "kind": r["kind"], "status": r.get("status", "pending"),
               "days": r["days"], "reason": r["reason"], "requested_by_id": ids.get(
                   r["requested_by"]), "requested_at": r["requested_at"],
               "from_state": r["from_state"], "decided_by_id": ids.get(r.get("decided_by")),
               "decided_at": r.get("decided_at"), "decision_remark": r.get("decision_remark", "")}


def encode_chunk(job) -> dict:
    """Draw and encode the cases ``job`` = [(index, event id), ...] (in a worker)."""
    s = _STATE
    out = {"events": [], "records": [], "steps": [], "requests": [], "heads": [],
           "states": {}}
    for index, pk in job:
        case = plan.simulate(s["ctx"], s["seed"], index)
        values = _event_values(case, pk)
        out["events"].append(_encode(Event, s["event_fields"], values, False))
        records, head = _records(case, pk, values["number"])
        out["records"] += [_encode(AuditRecord, s["record_fields"], r, True) for r in records]
        out["steps"] += [_encode(EventStep, s["step_fields"], v, True)
                         for v in _step_values(case, pk, values["area_code"])]
        out["requests"] += [_encode(EventRequest, s["request_fields"], v, False)
                            for v in _request_values(case, pk)]
        out["heads"].append(_encode(ChainHead, s["head_fields"], head, False))
        state = values["state"]
        out["states"][state] = out["states"].get(state, 0) + 1
    return out


def with_ids(rows, first_id: int) -> list:
    """Rows encoded without their leading id column, with consecutive ids from ``first_id``."""
    if _STATE["postgres"]:
        return [f"{first_id + i}\t{line}" for i, line in enumerate(rows)]
    return [(first_id + i, *row) for i, row in enumerate(rows)]
