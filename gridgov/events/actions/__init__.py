"""Verbs of the event closed loop: every write to events goes through these functions.

Each transition of ``gridgov.events.workflow.TRANSITIONS`` is one function that

1. checks the actor's permission (``events.<action>``: ``PermissionDenied``), the event's
   state and, when given, ``expected_version`` (``Conflict``), then the actor's scope on the
   event;
2. validates its input (``ValidationError({field: reason})``);
3. in one transaction moves the event with ``UPDATE … WHERE id = ? AND version = ?`` (zero
   rows: somebody else acted first → ``Conflict``), writes one audit record on the event's
   own chain (``record(obj=event)``: the trace, covered by ``gridgov audit verify``) and one
   ``EventStep`` row indexing it;
4. sends ``signals.event_transition`` on commit (notifications listen to it).

``actor=None`` is the system (demo loader, periodic jobs, Open311 without a user). Personal
data never reaches the audit record unmasked.

The verbs live by concern; this package re-exports them, so callers write
``actions.dispatch_event(...)``:

- ``base``: the shared frame (``Conflict``, load and check, move, trace);
- ``report``: ``report_event``, the one writer every intake channel ends in;
- ``intake``: the intake channels (patrol, public page, hotline, mailbox, department transfer,
  video patrol, leader's instruction) with their permission checks and idempotency;
- ``hotline``: the bulk writer of hotline records (CSV, Excel, JSON);
- ``workflow``: the transitions of the command room, the handlers and the grid;
- ``requests``: extension and suspension requests and their decisions;
- ``merge``: merging duplicate reports; ``alerts``: deadline alerts of the periodic scan;
- ``catalog``: the event catalog (platforms, major and minor classes);
- ``evidence``: the evidence rules (photo, place) of completion and verification;
- ``files``: a step's attachments; ``screening``: the content screen moderation fills in;
- ``perform``: run an action by name with the inputs the workflow table names.
"""

from . import hotline, intake
from .alerts import mark_deadline
from .base import Conflict
from .catalog import (
    CATEGORY_FIELDS,
    create_category,
    link_default_departments,
    save_major,
    save_platform,
    update_category,
)
from .evidence import clear_evidence_rule, save_evidence_rule
from .intake import (
    IdempotencyMismatch,
    IntakeResult,
    record_hotline,
    record_leader_instruction,
    record_mailbox,
    record_open311,
    record_video_patrol,
    report_by_grid_worker,
    report_by_resident,
    transfer_from_department,
)
from .merge import merge_events
from .perform import PERFORMABLE, perform
from .report import report_event
from .requests import (
    decide_extension,
    decide_suspension,
    request_extension,
    request_suspension,
)
from .workflow import (
    LINK_COMMENT_MAX,
    REPORTER_LINK_ROLE,
    claim_event,
    complete_event,
    dispatch_event,
    escalate_event,
    evaluate_by_reporter_link,
    evaluate_event,
    file_event,
    not_file_event,
    register_event,
    release_held,
    resolve_on_spot,
    resume_event,
    return_event,
    supervise_event,
    verify_event,
    void_event,
)

__all__ = [
    "CATEGORY_FIELDS", "Conflict", "IdempotencyMismatch", "IntakeResult", "LINK_COMMENT_MAX",
    "PERFORMABLE", "REPORTER_LINK_ROLE", "claim_event", "clear_evidence_rule", "complete_event",
    "create_category",
    "decide_extension", "decide_suspension", "dispatch_event", "escalate_event",
    "evaluate_by_reporter_link", "evaluate_event", "file_event", "hotline", "intake",
    "link_default_departments", "mark_deadline", "merge_events", "not_file_event", "perform",
    "record_hotline", "record_leader_instruction", "record_mailbox", "record_open311",
    "record_video_patrol", "register_event", "release_held", "report_by_grid_worker",
    "report_by_resident", "report_event", "request_extension", "request_suspension",
    "resolve_on_spot", "resume_event", "return_event", "save_evidence_rule", "save_major",
    "save_platform",
    "supervise_event", "transfer_from_department", "update_category", "verify_event", "void_event",
]
