"""Residents' private tracking links and the progress they show (FixMyStreet-style).

A report from the public page gets a secret; the link ``/events/public/track/<secret>/`` lets
the resident follow the case and rate the result without an account. Only the SHA-256 of
the secret is stored (``Event.public_token_hash``): a copy of the database does not reveal
the links, and the secret itself is shown once, on the page that confirms the report.

What the page shows is the resident's view of the case, built here from the event's own
audit chain: step labels and times only, never who acted or their internal remarks, except
the handler's completion remark and the verification result; photos only as the public
copies made at upload (location metadata stripped).
"""

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field

from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from gridgov.audit.models import AuditRecord

from .choices import State
from .models import Event, EventAttachment

TOKEN_BYTES = 24
# token_urlsafe(24) is 32 characters; anything far from that is not one of ours.
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
KEY_SALT = "gridgov.events.public_links"
# States with a running handling deadline worth announcing as the expected completion.
HANDLED_STATES = frozenset({State.DISPATCHED, State.IN_PROGRESS, State.COMPLETED})

# The internal states as a resident reads them (one place; the page and tests use it).
PUBLIC_STATES = {
    State.HELD: _("正在审核"),
    State.REPORTED: _("待受理"),
    State.REGISTERED: _("已受理"),
    State.FILED: _("已受理"),
    State.DISPATCHED: _("处理中"),
    State.IN_PROGRESS: _("处理中"),
    State.COMPLETED: _("已处置,核查中"),
    State.SUSPENDED: _("暂缓办理"),
    State.CLOSED: _("已办结"),
    State.NOT_FILED: _("不予受理"),
    State.VOID: _("已撤销"),
    State.MERGED: _("合并办理"),
}

# Steps a resident sees, with their public label. Internal steps (deadline alerts,
# supervision, requests, returns between offices) are left out on purpose.
PUBLIC_STEPS = {
    "report": _("反映已提交"),
    "release_held": _("审核通过"),
    "register": _("已受理"),
    "file": _("已立案"),
    "not_file": _("不予受理"),
    "void": _("已撤销"),
    "dispatch": _("已交责任单位办理"),
    "claim": _("责任单位已接单"),
    "decide_extension": _("办理期限已延长"),
    "decide_suspension": _("暂缓办理"),
    "resume": _("恢复办理"),
    "complete": _("处置完毕"),
    "resolve_on_spot": _("网格员现场处置完毕"),
    "verify": _("现场核查通过,已办结"),
    "merge": _("与相同问题的反映合并办理"),
    "evaluate": _("已评价"),
}
# Steps whose label depends on the decision recorded with them.
REJECTED_LABELS = {
    "release_held": _("审核未通过,已撤销"),
    "verify": _("现场核查未通过,重新处置"),
}
# Only decisions that change the case for the resident are shown.
SHOWN_ONLY_IF_APPROVED = frozenset({"decide_extension", "decide_suspension"})
# The remark that is shown: the handler's account of the work done.
REMARK_SHOWN = frozenset({"complete", "resolve_on_spot"})


# --- the secret -------------------------------------------------------------------------------


def hash_token(token: str) -> str:
    """The stored form of a link secret: SHA-256, hex."""
    return hashlib.sha256(str(token).encode("utf-8")).hexdigest()


def new_token(idempotency_key: str | None = None) -> str:
    """A link secret: derived from the intake's idempotency key when there is one, else random.

    Why derived: a retried submission (same form token, same content) returns the event the
    first one created, and must still show a working link, even when the first answer never
    reached the browser (a lost response also loses any session cookie it set, so keeping the
    secret in the session would not do). HMAC-SHA256 under ``SECRET_KEY`` (salted for this
    use) gives the same 24 bytes for the same key, while the database alone (which holds the
    idempotency key and the hash) cannot reproduce it. The cost: rotating ``SECRET_KEY``
    changes what a later retry derives; the retry then shows no link (see ``matches``) while
    the link issued first keeps working, as its hash is stored.
    """
    if not idempotency_key:
        return secrets.token_urlsafe(TOKEN_BYTES)
    digest = salted_hmac(KEY_SALT, idempotency_key, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest[:TOKEN_BYTES]).rstrip(b"=").decode("ascii")


def matches(event, token) -> bool:
    """Whether ``token`` is the secret of ``event``'s link (constant-time comparison)."""
    stored = getattr(event, "public_token_hash", "") or ""
    if not stored or not token or not TOKEN_RE.match(str(token)):
        return False
    return hmac.compare_digest(stored, hash_token(token))


def find(token) -> Event | None:
    """The event a link secret belongs to (None for anything else)."""
    if not token or not TOKEN_RE.match(str(token)):
        return None
    event = (Event.objects.select_related("category", "merged_into__category")
             .filter(public_token_hash=hash_token(token)).first())
    return event if event is not None and matches(event, token) else None


def followed(event) -> Event:
    """The event whose progress the resident follows: a merged report follows its primary."""
    seen = {event.pk}
    current = event
    while current.state == State.MERGED and current.merged_into_id \
            and current.merged_into_id not in seen:
        current = Event.objects.select_related("category", "merged_into").get(
            pk=current.merged_into_id)
        seen.add(current.pk)
    return current


# --- what the page shows ----------------------------------------------------------------------


@dataclass
class PublicStep:
    """One step as a resident sees it: a label, a time, and what may be public."""

    at: object
    label: str
    remark: str = ""
    photos: list = field(default_factory=list)


def state_label(event) -> str:
    return str(PUBLIC_STATES.get(event.state, ""))


def expected_completion(event):
    """The handling deadline while a department or the grid works on the case (else None:
    before dispatch there is none, and a suspended case keeps a stale one)."""
    if event.state not in HANDLED_STATES:
        return None
    return event.handle_deadline


def _decision(changes: dict, key: str):
    value = changes.get(key)
    if isinstance(value, list) and len(value) == 2:
        return value[1]
    return None


def _label(action: str, changes: dict):
    if action in SHOWN_ONLY_IF_APPROVED:
        request = _decision(changes, "request") or {}
        if not (isinstance(request, dict) and request.get("approve")):
            return None
    if action == "release_held" and _decision(changes, "approve") is False:
        return REJECTED_LABELS[action]
    if action == "verify" and _decision(changes, "passed") is False:
        return REJECTED_LABELS[action]
    return PUBLIC_STEPS.get(action)


def _photos(changes: dict, public_by_step: dict, seq: int) -> list:
    """Public copies attached at this step (the originals stay private)."""
    if not changes.get("attachments"):
        return []
    return public_by_step.get(seq, [])


def steps(event, *, skip=()) -> list[PublicStep]:
    """The resident's timeline of ``event`` from its audit chain (actions in ``skip`` left out)."""
    records = (AuditRecord.objects.filter(chain_key=f"events.event:{event.pk}")
               .order_by("seq").only("seq", "at", "action", "changes", "remark"))
    public_by_step: dict[int, list] = {}
    for photo in EventAttachment.objects.filter(event=event, public=True).order_by("id"):
        public_by_step.setdefault(photo.step, []).append(photo)
    out = []
    for rec in records:
        action = rec.action.split(".", 1)[-1]
        if action in skip:
            continue
        changes = rec.changes or {}
        label = _label(action, changes)
        if label is None:
            continue
        out.append(PublicStep(
            at=rec.at, label=str(label),
            remark=rec.remark if action in REMARK_SHOWN else "",
            photos=_photos(changes, public_by_step, rec.seq)))
    return out


def progress(event) -> dict:
    """Everything the tracking page shows about ``event`` (the reported one)."""
    target = followed(event)
    timeline = steps(event)
    if target.pk != event.pk:
        # The primary's report and evaluation belong to another resident: not shown.
        timeline += steps(target, skip=("report", "evaluate"))
        timeline.sort(key=lambda s: s.at)
    return {
        "event": event,
        "followed": target,
        "merged": target.pk != event.pk,
        "state_label": state_label(target),
        "held": target.state == State.HELD,
        "expected": expected_completion(target),
        "timeline": timeline,
        "can_evaluate": target.pk == event.pk and event.state == State.CLOSED
        and event.evaluation_score is None,
    }


def public_photo(event, pk) -> EventAttachment | None:
    """A public copy the tracking page of ``event`` may show (its own or its primary's)."""
    target = followed(event)
    photo = EventAttachment.objects.filter(pk=pk, public=True,
                                           event_id__in={event.pk, target.pk}).first()
    if photo is None:
        return None
    if photo.event_id == target.pk != event.pk and photo.step == 1:
        return None  # the primary's own report photos belong to another resident
    return photo
