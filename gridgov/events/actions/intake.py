"""Intake channels: one wrapper per way a problem reaches the platform, each calling
``report_event`` (``actions.report``) after checking the channel's permission.

- ``report_by_grid_worker``: a grid worker's patrol report (page and API);
- ``report_by_resident``: a resident on the public page, without an account (contact optional
  and kept private), text screened by the harmful-content lexicon;
- ``record_hotline``: an 81890 / 12345 hotline record (API, CSV/Excel upload), screened,
  idempotent by the hotline's own work-order number;
- ``record_mailbox``: a government mailbox letter, screened;
- ``transfer_from_department``: a department hands over a matter (user or API key);
- ``record_video_patrol``: seen on a camera, which carries its GB/T 28181 code;
- ``record_leader_instruction``: a leader's instruction (领导交办);
- ``record_open311``: a service request through the Open311 adapter (a department's key).

Who may use a channel is a permission (``events.report_patrol``, ``events.record_hotline``,
``events.transfer``, ``events.report_video``, ``events.instruct``); which roles and which
department API keys hold it is data.

Resident-supplied text (public page, hotline, mailbox) goes through the content screen
(``actions.screening``, filled in by the moderation app): a hit holds the report (state
``held``, a ``ModerationCase`` with the matched terms for the reviewer); nothing is dropped.

Idempotency: a client key (``Idempotency-Key``, a form token) is stored per principal as
``<principal>:<key>``; a retry returns the same event (``IntakeResult.created`` False); the
same key with a different request raises ``IdempotencyMismatch`` (the API answers 422, as the
IETF Idempotency-Key draft recommends; 409 is kept for conflicting workflow transitions).
"""

import hashlib
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.areas.datum import to_wgs84
from gridgov.core.access import get_scope, require

from .. import attachments as attachment_files
from .. import catalog_cache, evidence, public_links
from ..choices import AttachmentKind, Nature, Source, Urgency
from ..models import Event, MinorCategory
from . import screening, workflow
from .report import report_event

CRS_CHOICES = ("wgs84", "gcj02")
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# Landlines as hotline records carry them: area code and number, optional extension.
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
IDEMPOTENCY_KEY_RE = re.compile(r"^[\x21-\x7e]{1,80}$")
DESCRIPTION_MAX = 2000
# Open311 GeoReport v2 lets a description run to 4,000 characters; partner apps send that much.
OPEN311_DESCRIPTION_MAX = 4000
# Province codes (GB/T 2260) a GB/T 28181 centre code may start with.
PROVINCES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82",
}
# GB/T 28181-2016 annex D device types that deliver video: front-end main devices (111 DVR,
# 112 video server, 113 encoder, 118 NVR; 119-130 reserved for extension) and cameras
# (131 camera, 132 IP camera).
VIDEO_DEVICE_TYPES = {*(str(n) for n in range(111, 131)), "131", "132"}
VIDEO_DEVICE_EXCLUDED = {"114", "115", "116", "117"}  # decoder, matrices, alarm controller
# How far a device's "seen at" time may lie from the receipt: a phone's clock runs a little
# ahead at most; a report queued offline may wait days for the network, a week at most.
OBSERVED_AHEAD = timedelta(minutes=5)
OBSERVED_BEHIND = timedelta(days=7)
# A position fix worse than this is no fix (browsers report up to tens of kilometres for a
# position from the IP address).
ACCURACY_MAX_M = 100_000
RESOLUTION_MAX = 2000


class IdempotencyMismatch(Exception):
    """The idempotency key was used before for a different request."""

    def __init__(self, event):
        super().__init__(_("该幂等键已用于另一内容不同的请求。"))
        self.event = event


@dataclass
class IntakeResult:
    """What an intake call did: the event, whether it is new, and whether it was held."""

    event: Event
    created: bool
    held_terms: list
    # The secret of the resident's tracking link (public page only; shown once, never stored).
    public_token: str = ""

    @property
    def held(self) -> bool:
        return bool(self.held_terms)


# --- field checks ---------------------------------------------------------------------------


def clean_text(value, field, *, required=True, max_length=200) -> str:
    value = (value or "").strip() if isinstance(value, str) else str(value or "").strip()
    if required and not value:
        raise ValidationError({field: _("此项为必填项。")})
    if len(value) > max_length:
        raise ValidationError({field: _("不能超过 %(n)d 个字符。") % {"n": max_length}})
    return value


def clean_phone(value, field="reporter_phone", *, landline=False) -> str:
    phone = re.sub(r"[\s()()]", "", str(value or ""))
    if phone.startswith("+86"):
        phone = phone[3:]
    if not phone:
        return ""
    if MOBILE_RE.match(phone) or (landline and LANDLINE_RE.match(phone)):
        return phone
    if landline:
        raise ValidationError({field: _("联系电话须为 11 位手机号或带区号的固定电话。")})
    raise ValidationError({field: _("手机号须为 11 位中国大陆手机号码。")})


def clean_point(lng, lat, crs="wgs84") -> tuple[float, float, str]:
    """(lng, lat, crs) as numbers; a missing or non-numeric value is an error on "location"."""
    crs = (crs or "wgs84").strip().lower()
    if crs not in CRS_CHOICES:
        raise ValidationError({"crs": _("坐标系须为 wgs84 或 gcj02。")})
    try:
        lng_f, lat_f = float(lng), float(lat)
    except (TypeError, ValueError):
        raise ValidationError({"location": _("请提供有效的经纬度。")}) from None
    if not (math.isfinite(lng_f) and math.isfinite(lat_f)
            and -180 <= lng_f <= 180 and -90 <= lat_f <= 90):
        raise ValidationError({"location": _("经纬度超出有效范围。")})
    return lng_f, lat_f, crs


def clean_choice(value, choices, field, default):
    """A TextChoices value given as its code or its Chinese label."""
    value = (str(value).strip() if value is not None else "") or default
    if value in choices.values:
        return value
    for code, label in choices.choices:
        if value == str(label):
            return code
    raise ValidationError({field: _("“%(v)s”不是有效的选项。") % {"v": value}})


def clean_category(value, field="category") -> MinorCategory | None:
    """An active minor class given as an instance, a code or a primary key (blank: none)."""
    if value in (None, ""):
        return None
    if isinstance(value, MinorCategory):
        category = value
    else:
        text = str(value).strip()
        category = catalog_cache.minor_by_code(text)
        if category is None and text.isdigit():
            category = MinorCategory.objects.filter(pk=int(text)).first()
    if category is None or not category.is_active:
        raise ValidationError({field: _("事件小类“%(v)s”不存在或已停用。") % {"v": value}})
    return category


def validate_camera_code(code, field="camera_code") -> str:
    """A GB/T 28181 device code: 8 centre + 2 industry + 3 type + 1 network + 6 sequence.

    The centre code must start with a real province code, and the type must be a device
    that delivers video (an encoder, DVR/NVR, video server or camera).
    """
    code = re.sub(r"\s", "", str(code or ""))
    if not code:
        raise ValidationError({field: _("视频巡查须填写摄像机的 GB/T 28181 编码。")})
    if not re.fullmatch(r"\d{20}", code):
        raise ValidationError({field: _("GB/T 28181 编码须为 20 位数字(当前 %(n)d 位)。")
                               % {"n": len(code)}})
    centre, _industry, kind, _network = code[:8], code[8:10], code[10:13], code[13]
    if centre[:2] not in PROVINCES:
        raise ValidationError({field: _("中心编码前两位“%(p)s”不是有效的省级行政区划代码。")
                               % {"p": centre[:2]}})
    if kind not in VIDEO_DEVICE_TYPES or kind in VIDEO_DEVICE_EXCLUDED:
        raise ValidationError({field: _("设备类型码“%(t)s”不是视频采集设备(应为 111–113、"
                                        "118–132 之一,如 131 摄像机、132 网络摄像机)。")
                               % {"t": kind}})
    return code


def clean_observed_at(value, now=None):
    """When the reporter saw the problem (发现时间): a datetime or ISO 8601 text, or None.

    Refused when more than ``OBSERVED_AHEAD`` after ``now`` (the receipt) or more than
    ``OBSERVED_BEHIND`` before it; a time without zone is local time."""
    if value in (None, ""):
        return None
    if not isinstance(value, datetime):
        try:
            value = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValidationError({"observed_at": _("发现时间格式不正确。")}) from None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    now = now or timezone.now()
    if value > now + OBSERVED_AHEAD:
        raise ValidationError({"observed_at": _(
            "发现时间晚于当前时间,请检查手机时间设置。")})
    if value < now - OBSERVED_BEHIND:
        raise ValidationError({"observed_at": _("发现时间不能早于 7 天前。")})
    return value


def clean_accuracy(value, field="accuracy_m") -> float | None:
    """The device's position accuracy in metres (None when not given)."""
    if value in (None, ""):
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValidationError({field: _("定位精度须为数字(米)。")}) from None
    if not math.isfinite(value) or not 0 <= value <= ACCURACY_MAX_M:
        raise ValidationError({field: _("定位精度须在 0–%(n)d 米之间。")
                               % {"n": ACCURACY_MAX_M}})
    return round(value, 1)


def clean_idempotency_key(key) -> str | None:
    if key in (None, ""):
        return None
    key = str(key).strip()
    if not IDEMPOTENCY_KEY_RE.match(key):
        raise ValidationError({"Idempotency-Key": _(
            "幂等键须为 1–80 个可见 ASCII 字符。")})
    return key


def principal_tag(actor) -> str:
    """Who a client key belongs to: a user, a department API key, or the public page."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "public"
    api_key = getattr(actor, "api_key", None)
    if api_key is not None:
        return f"k{api_key.pk}"
    return f"u{actor.pk}"


def scoped_key(actor, key) -> str | None:
    key = clean_idempotency_key(key)
    return None if key is None else f"{principal_tag(actor)}:{key}"[:100]


# --- who may use which channel --------------------------------------------------------------


def _require(actor, permission, message):
    # A channel is used by a signed-in person or a department's system, never by nobody:
    # the system actor passes no channel check (it calls ``report_event`` itself).
    return require(actor, permission, allow_system=False, message=message)


def is_own_report(user, event) -> bool:
    """Whether ``user`` reported ``event`` themself (signed in)."""
    scope = get_scope(user)
    return bool(scope is not None and event is not None and event.reporter_user_id
                and event.reporter_user_id == scope.user_id)


def can_see_contact(user, event=None) -> bool:
    """Whether ``user`` may see reporters' full phone numbers: a reporter their own (shown),
    and holders of ``events.see_contact``, the people who call back (through an audited
    reveal with a reason: ``personal_data.reveal``)."""
    scope = get_scope(user)
    if scope is None:
        return False
    return is_own_report(user, event) or scope.can("events.see_contact")


def contact_display(event, user) -> str:
    """The reporter's phone as ``user`` sees it without asking: in full for the reporter
    themself, masked (138****5678) for everyone else; staff who call back reveal it."""
    if not event.reporter_phone_masked:
        return ""
    return event.reporter_phone if is_own_report(user, event) else event.reporter_phone_masked


# --- the common path ------------------------------------------------------------------------


def _same_request(event, *, source, description, lng, lat, crs, category, nature, urgency,
                  address) -> bool:
    """Whether a retried request asks for the event that its key already created."""
    wlng, wlat = to_wgs84(lng, lat, crs)
    return (
        event.source == source
        and event.description == description
        and (event.category_id or None) == (category.pk if category else None)
        and event.nature == nature
        and event.urgency == urgency
        and (event.address or "") == address
        and abs(event.lng - wlng) < 1e-6 and abs(event.lat - wlat) < 1e-6
    )


def _open_existing(key, **request):
    if key is None:
        return None
    event = Event.objects.filter(idempotency_key=key).first()
    if event is not None and not _same_request(event, **request):
        raise IdempotencyMismatch(event)
    return event


def _intake(*, source, actor, description, lng, lat, crs="wgs84", category=None,
            nature=Nature.REQUEST, urgency=Urgency.NORMAL, address="", reporter_name="",
            reporter_phone="", camera_code="", external_id="", idempotency_key=None,
            uploads=(), screen_text=False, landline=False,
            description_max=DESCRIPTION_MAX, observed_at=None, accuracy_m=None,
            position_corrected=None) -> IntakeResult:
    description = clean_text(description, "description", max_length=description_max)
    observed_at = clean_observed_at(observed_at)
    accuracy_m = clean_accuracy(accuracy_m)
    address = clean_text(address, "address", required=False, max_length=200)
    reporter_name = clean_text(reporter_name, "reporter_name", required=False, max_length=50)
    reporter_phone = clean_phone(reporter_phone, landline=landline)
    lng, lat, crs = clean_point(lng, lat, crs)
    category = clean_category(category)
    nature = clean_choice(nature, Nature, "nature", Nature.REQUEST)
    urgency = clean_choice(urgency, Urgency, "urgency",
                           category.default_urgency if category else Urgency.NORMAL)
    request = dict(source=source, description=description, lng=lng, lat=lat, crs=crs,
                   category=category, nature=nature, urgency=urgency, address=address)
    files = [p.as_attachment() for p in attachment_files.prepare(uploads)]
    found = screening.screen(description=description, address=address) if screen_text else None
    with transaction.atomic():
        # Same-key requests queue here, so the check below and the insert cannot interleave
        # (PostgreSQL: an advisory lock on the key; SQLite: writers are serialised already).
        _lock_key(idempotency_key)
        existing = _open_existing(idempotency_key, **request)
        if existing is not None:
            return IntakeResult(existing, False, _held_terms(existing))
        event = report_event(
            source=source, description=description, lng=lng, lat=lat, crs=crs, actor=actor,
            category=category, nature=nature, urgency=urgency, address=address,
            reporter_name=reporter_name, reporter_phone=reporter_phone,
            camera_code=camera_code, external_id=external_id,
            idempotency_key=idempotency_key, attachments=files,
            hold_reason=found.reason if found else "", description_max=description_max,
            observed_at=observed_at, accuracy_m=accuracy_m,
            position_corrected=position_corrected,
        )
        if found is not None and found.held:
            screening.hold(event, found, actor=actor)
    return IntakeResult(event, True, found.terms if found else [])


def _lock_key(key) -> None:
    if key is None or connection.vendor != "postgresql":
        return
    number = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big",
                            signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [number])


def _held_terms(event) -> list:
    return screening.held_terms(event)


# --- channels -------------------------------------------------------------------------------


def report_by_grid_worker(*, actor, description, lng, lat, crs="wgs84", category=None,
                          nature=Nature.REQUEST, urgency=None, address="", uploads=(),
                          idempotency_key=None, observed_at=None, accuracy_m=None,
                          position_corrected=None, resolved_on_spot=False, resolution="",
                          after_uploads=()) -> IntakeResult:
    """A grid worker's (or grid chief's) patrol report; the text is staff text, not screened.

    From the field terminal it may carry the device's ``observed_at``, ``accuracy_m`` and
    ``position_corrected``, and be resolved on the spot (自行处置) in the same transaction:
    ``resolved_on_spot`` with ``resolution`` (what was done) and ``after_uploads`` (the
    after photos, required where the class's evidence rule requires a completion photo);
    the event and its ``resolve_on_spot`` step are created together or not at all, and a
    retry with the same key returns the event without a second step.
    """
    _require(actor, "events.report_patrol",
             _("只有网格员、网格长或网格指导员可以上报巡查事件。"))
    after = []
    if resolved_on_spot:
        resolution = clean_text(resolution, "resolution", max_length=RESOLUTION_MAX)
        after = [p.as_attachment() for p in attachment_files.prepare(
            after_uploads, field="after_photos")]
        need = evidence.requirement(clean_category(category), "resolve_on_spot")
        if need.photo and not any(a["kind"] == AttachmentKind.PHOTO for a in after):
            raise ValidationError({"after_photos": _(
                "本类事件自行处置须上传处置后照片。")})
    with transaction.atomic():
        result = _intake(source=Source.GRID_PATROL, actor=actor, description=description,
                         lng=lng, lat=lat, crs=crs, category=category, nature=nature,
                         urgency=urgency, address=address,
                         reporter_name=getattr(actor, "real_name", "") or "",
                         uploads=uploads, idempotency_key=scoped_key(actor, idempotency_key),
                         observed_at=observed_at, accuracy_m=accuracy_m,
                         position_corrected=position_corrected)
        if resolved_on_spot and result.created:
            result.event = _resolve_reported(result.event, actor, resolution, after)
    return result


# The resolve-on-spot step's inputs as the report names them.
_RESOLVE_FIELDS = {"remark": "resolution", "attachments": "after_photos"}


def _resolve_reported(event, actor, resolution, after) -> Event:
    """The resolve-on-spot step of a report just taken in, its errors under the report's
    field names (the caller's transaction undoes the report with it)."""
    try:
        # The worker stands where they reported: the step's place is the report's point,
        # with the accuracy of the device's fix.
        return workflow.resolve_on_spot(event, remark=resolution, actor=actor,
                                        attachments=after, lng=event.lng, lat=event.lat,
                                        accuracy_m=event.accuracy_m,
                                        expected_version=event.version)
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError({_RESOLVE_FIELDS.get(field, field): errors
                               for field, errors in exc.error_dict.items()}) from exc


def report_by_resident(*, description, lng, lat, crs="wgs84", nature=Nature.REQUEST,
                       category=None, address="", reporter_name="", reporter_phone="",
                       uploads=(), form_token=None, actor=None) -> IntakeResult:
    """A resident's report from the public page (no account): screened, contact private.

    The result carries ``public_token``, the secret of the resident's private tracking link
    (``public_links``); only its hash is stored, in the same transaction as the event. The
    secret is derived from the form token (HMAC under ``SECRET_KEY``, see
    ``public_links.new_token``), so a retried submission that returns the existing event
    shows the same working link, even if the first answer was lost on the way. A retry whose
    secret does not match (an event from before tracking links, or a rotated key) gets no
    link rather than a broken one.
    """
    key = scoped_key(None, form_token)
    token = public_links.new_token(key)
    with transaction.atomic():
        result = _intake(source=Source.CITIZEN, actor=actor, description=description,
                         lng=lng, lat=lat, crs=crs, category=category, nature=nature,
                         urgency=None, address=address, reporter_name=reporter_name,
                         reporter_phone=reporter_phone, uploads=uploads,
                         idempotency_key=key, screen_text=True)
        if result.created:
            digest = public_links.hash_token(token)
            Event.objects.filter(pk=result.event.pk).update(public_token_hash=digest)
            result.event.public_token_hash = digest
    result.public_token = token if public_links.matches(result.event, token) else ""
    return result


HOTLINE_SOURCES = {"81890": Source.HOTLINE_81890, "12345": Source.HOTLINE_12345}


def clean_line(value, field="line") -> str:
    """The hotline's source code from "81890", "12345" or the source code itself."""
    text = str(value or "").strip()
    if text.endswith(".0"):
        text = text[:-2]
    if text in HOTLINE_SOURCES:
        return HOTLINE_SOURCES[text]
    if text in HOTLINE_SOURCES.values():
        return text
    raise ValidationError({field: _("热线须为 81890 或 12345。")})


def hotline_key(source, external_id) -> str:
    """The idempotency key of a hotline record: its line and work-order number."""
    return f"{source}:{external_id}"[:100]


def require_intake_staff(actor):
    """The hotline and mailbox channels (and the bulk import): ``events.record_hotline``."""
    return _require(actor, "events.record_hotline",
                    _("只有受理员、值班长或热线系统可以录入此类事件。"))


def record_hotline(*, actor, line, external_id, description, lng, lat, crs="wgs84",
                   category=None, nature=Nature.REQUEST, urgency=None, address="",
                   reporter_name="", reporter_phone="", uploads=()) -> IntakeResult:
    """An 81890 / 12345 hotline record; one event per work order however often it arrives."""
    require_intake_staff(actor)
    source = clean_line(line)
    external_id = clean_text(external_id, "external_id", max_length=64)
    return _intake(source=source, actor=actor, description=description, lng=lng, lat=lat,
                   crs=crs, category=category, nature=nature, urgency=urgency, address=address,
                   reporter_name=reporter_name, reporter_phone=reporter_phone,
                   external_id=external_id, idempotency_key=hotline_key(source, external_id),
                   uploads=uploads, screen_text=True, landline=True)


def record_mailbox(*, actor, external_id, description, lng, lat, crs="wgs84", category=None,
                   nature=Nature.REQUEST, address="", reporter_name="", reporter_phone="",
                   uploads=()) -> IntakeResult:
    """A letter to the government mailbox (政府信箱), screened, idempotent by letter number."""
    require_intake_staff(actor)
    external_id = clean_text(external_id, "external_id", max_length=64)
    return _intake(source=Source.MAILBOX, actor=actor, description=description, lng=lng,
                   lat=lat, crs=crs, category=category, nature=nature, urgency=None,
                   address=address, reporter_name=reporter_name, reporter_phone=reporter_phone,
                   external_id=external_id,
                   idempotency_key=hotline_key(Source.MAILBOX, external_id), uploads=uploads,
                   screen_text=True, landline=True)


def transfer_from_department(*, actor, description, lng, lat, crs="wgs84", category=None,
                             nature=Nature.REQUEST, urgency=None, address="", external_id="",
                             uploads=(), idempotency_key=None, observed_at=None) -> IntakeResult:
    """A matter handed over by a department (its staff, or its system with an API key)."""
    scope = _require(actor, "events.transfer", _("只有部门人员或部门系统可以移交事件。"))
    if not scope.department_id:
        raise PermissionDenied(_("移交事件须以所属部门的名义进行。"))
    department = getattr(actor, "department", None)
    return _intake(source=Source.DEPT_TRANSFER, actor=actor, description=description, lng=lng,
                   lat=lat, crs=crs, category=category, nature=nature, urgency=urgency,
                   address=address, reporter_name=str(department or "")[:50],
                   external_id=clean_text(external_id, "external_id", required=False,
                                          max_length=64),
                   uploads=uploads, idempotency_key=scoped_key(actor, idempotency_key),
                   observed_at=observed_at)


def record_video_patrol(*, actor, camera_code, description, lng, lat, crs="wgs84",
                        category=None, urgency=None, address="", uploads=(),
                        idempotency_key=None, observed_at=None) -> IntakeResult:
    """A problem seen on a camera by the video patrol (command room staff or the video
    platform's API key); the camera's GB/T 28181 code is required and checked."""
    _require(actor, "events.report_video",
             _("只有指挥中心人员或视频平台可以上报视频巡查事件。"))
    camera_code = validate_camera_code(camera_code)
    return _intake(source=Source.VIDEO_PATROL, actor=actor, description=description, lng=lng,
                   lat=lat, crs=crs, category=category, urgency=urgency, address=address,
                   camera_code=camera_code, uploads=uploads,
                   idempotency_key=scoped_key(actor, idempotency_key),
                   observed_at=observed_at)


def record_leader_instruction(*, actor, description, lng, lat, crs="wgs84", category=None,
                              urgency=None, address="", uploads=(),
                              idempotency_key=None, observed_at=None) -> IntakeResult:
    """A leader's instruction (领导交办) about a place."""
    _require(actor, "events.instruct", _("只有领导可以交办事件。"))
    return _intake(source=Source.LEADER_INSTRUCTION, actor=actor, description=description,
                   lng=lng, lat=lat, crs=crs, category=category, urgency=urgency,
                   address=address, reporter_name=getattr(actor, "real_name", "") or "",
                   uploads=uploads, idempotency_key=scoped_key(actor, idempotency_key),
                   observed_at=observed_at)


def record_open311(*, actor, token, description, lng, lat, crs="wgs84", category=None,
                   nature=Nature.REQUEST, address="", reporter_name="",
                   reporter_phone="", uploads=()) -> IntakeResult:
    """A service request through the Open311 GeoReport v2 adapter (``gridgov.protocols``),
    posted with a department's key on a resident's behalf: the text is the resident's, so it
    is screened; the request's ``token`` is its external id and, per key, its idempotency
    key (the same token is the same request however often it is posted). The description
    may be as long as the spec allows (``OPEN311_DESCRIPTION_MAX``); ``uploads`` are the
    request's media, checked like every intake upload (``attachments.prepare``)."""
    _require(actor, "protocols.open311_report", _("无权通过 Open311 上报。"))
    return _intake(source=Source.OPEN311, actor=actor, description=description, lng=lng,
                   lat=lat, crs=crs, category=category, nature=nature, address=address,
                   reporter_name=reporter_name, reporter_phone=reporter_phone,
                   external_id=token, idempotency_key=scoped_key(actor, token),
                   uploads=uploads, screen_text=True,
                   description_max=OPEN311_DESCRIPTION_MAX)


CHANNELS = {
    Source.GRID_PATROL: report_by_grid_worker,
    Source.DEPT_TRANSFER: transfer_from_department,
    Source.VIDEO_PATROL: record_video_patrol,
    Source.LEADER_INSTRUCTION: record_leader_instruction,
}
