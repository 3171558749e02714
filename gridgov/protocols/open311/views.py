"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) at ``/open311/v2/``.

Services are the active minor categories; a service request is an event. Reading services
is public. Reading requests is public as the spec intends, but an anonymous caller sees only
what residents themselves reported for publication (``PUBLIC_SOURCES``: this interface and
the public web form, never a staff channel or a hotline transcript), with phone and ID
numbers masked in the text, the address cut down to the street and community, and the point
rounded to about 100 m (``_public_row``). A caller with a department API key (``api_key`` or
``Authorization: Api-Key``) or a signed-in user also gets, in full, the events its own scope
(``Event.objects.restrict``) lets it read, and the public view of the rest. Never the
reporter, never an event held for content review. Creating a request needs a department API
key. Retries are
idempotent: the client's ``token`` (or, failing that, its ``device_id`` with the request's
content) becomes the event's idempotency key, so however often a request is retried one event
exists, and ``tokens/{token}`` finds it.

POST is ``create``; parameters and datetimes are read by ``params`` (a bad one is a 400,
never a server error); the public reads carry CORS (``cors``); the extensions partner apps
use — ``updated_after`` / ``updated_before``, paging, request notes, media — are documented
in docs/open311.md (``extras``).

Conventions of the spec kept here: every id is a string, lat/long are WGS-84, datetimes carry
their zone, a single request is still a list, an empty parameter counts as missing, and errors
are a list of {code, description} with 400 / 403 / 404, and 429 (with ``Retry-After``) over
the limits ``GRIDGOV_RATE_OPEN311`` (per key or signed-in person) and
``GRIDGOV_RATE_OPEN311_ANON`` (per client address), counted across processes
(``gridgov.protocols.common.limit_caller``).
"""

import datetime as dt
import re

from django.db.models import BooleanField, Case, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from gridgov.areas.choices import Level
from gridgov.core import personal_data
from gridgov.core.access.scope import get_scope
from gridgov.events.choices import Nature, Source, State
from gridgov.events.models import Event, EventAttachment
from gridgov.protocols.common import (
    ProtocolError,
    caller,
    event_services,
    protocol_errors,
)

from . import extras
from .cors import public_cors
from .create import create_request
from .formats import errors, render, w3_datetime
from .params import datetime_param, flag_param, int_param, list_param, param

SPEC_URL = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-26T00:00:00+08:00"
DEFAULT_WINDOW = dt.timedelta(days=90)
MAX_PAGE_SIZE = 1000
# Our states in Open311's two: a request is closed once nothing more will happen to it.
CLOSED_STATES = frozenset({State.CLOSED, State.NOT_FILED, State.VOID, State.MERGED})
# Never published: content held for review may be harmful or personal.
HIDDEN_STATES = frozenset({State.HELD})
# Sources whose requests an anonymous caller may read: a resident who reports through an
# Open311 app or the public web form is reporting to a public 311 service, as on a city's
# 311 map. Hotline calls and mailbox letters are residents' words too, but said to an
# operator, not published: the record is the operator's transcript, with names, doors and
# call-back numbers, and the caller never chose a public channel. Staff channels (grid
# patrol, video patrol, department transfers, leaders' instructions) are internal working
# records and never public.
PUBLIC_SOURCES = frozenset({Source.OPEN311, Source.CITIZEN})
# Decimal places of a published point: 3 is about 110 m north-south and 95 m east-west here
# (lat 29.9°), enough to find the place on a map, not the door.
PUBLIC_COORDINATE_PLACES = 3
STATUS_NOTES = {
    State.REPORTED: gettext_lazy("已收到,等待受理。"),
    State.REGISTERED: gettext_lazy("已受理,等待立案。"),
    State.FILED: gettext_lazy("已立案,等待派遣。"),
    State.NOT_FILED: gettext_lazy("不予立案。"),
    State.VOID: gettext_lazy("已作废。"),
    State.DISPATCHED: gettext_lazy("已派遣至责任单位。"),
    State.IN_PROGRESS: gettext_lazy("责任单位处置中。"),
    State.COMPLETED: gettext_lazy("已处置,等待现场核查。"),
    State.SUSPENDED: gettext_lazy("暂时无法解决,已挂账。"),
    State.CLOSED: gettext_lazy("已核查结案。"),
    State.MERGED: gettext_lazy("与其他上报合并办理。"),
}
# Extra questions a service definition asks (the same for every category).
ATTRIBUTES = (
    {
        "variable": True, "code": "nature", "datatype": "singlevaluelist", "required": False,
        "datatype_description": "", "order": 1, "description": gettext_lazy("诉求性质"),
        "values": [{"key": value, "name": str(label)} for value, label in Nature.choices],
    },
    {
        "variable": True, "code": "location_detail", "datatype": "string", "required": False,
        "datatype_description": gettext_lazy("楼栋、单元、门牌等补充位置"), "order": 2,
        "description": gettext_lazy("详细位置"), "values": [],
    },
)


def _raw_key(request) -> str:
    """The key the caller sent: ``api_key`` (in the query, or the form of a POST) or
    ``Authorization: Api-Key``."""
    raw = param(request.GET, "api_key")
    if not raw and request.method == "POST":
        raw = param(request.POST, "api_key")
    header = request.META.get("HTTP_AUTHORIZATION", "").strip()
    if not raw and header.lower().startswith("api-key "):
        raw = header[8:].strip()
    return raw


def _descriptions(error: ProtocolError) -> list[str]:
    """The error's descriptions; invalid input names its field in each (``lat: ...``)."""
    if error.fields:
        return [f"{field}: {'; '.join(messages)}" for field, messages in error.fields.items()]
    return error.messages


def _error_list(request, error: ProtocolError, fmt="json", *args, **kwargs):
    # ``media/{id}`` has no format in its path: its errors are JSON.
    return errors(fmt, error.status, *_descriptions(error))


# The spec's error list in the requested format, for every error a view raises. A read is
# refused only for a bad key, which says so; an unexplained refusal is one of reporting.
_guard = protocol_errors(_error_list, rate="open311", raw_key=_raw_key,
                         denied_message=gettext_lazy("无权上报。"),
                         not_found_message=gettext_lazy("没有这个 Open311 资源。"))


# --- discovery and services -----------------------------------------------------------------


@public_cors
@require_GET
@_guard
def discovery(request, fmt):
    """Service discovery: where the endpoint is and which formats it speaks."""
    url = request.build_absolute_uri(reverse("open311:root"))
    return render(fmt, "discovery", {
        "changeset": CHANGESET,
        "contact": _("海曙区社会治理综合指挥中心"),
        "key_service": _("部门 API 密钥由区系统管理员签发(GridGov “API 密钥”页面)。"),
        "endpoints": [{
            "specification": SPEC_URL,
            "url": url,
            "changeset": CHANGESET,
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }],
    })


def _service_row(category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.filing_condition or category.name,
        "metadata": True,
        "type": "realtime",
        "keywords": category.major.name,
        "group": category.major.name,
    }


@public_cors
@require_GET
@_guard
def services(request, fmt):
    """GET services: the active minor categories."""
    return render(fmt, "services", [_service_row(c) for c in event_services()])


def _attribute(spec) -> dict:
    return {k: (str(v) if k in ("description", "datatype_description") else v)
            for k, v in spec.items()}


@public_cors
@require_GET
@_guard
def service_definition(request, fmt, code):
    """GET services/{code}: the extra attributes a request of this service may carry."""
    if not event_services().filter(code=code).exists():
        raise ProtocolError(404, _("没有编码为 %(code)s 的服务。") % {"code": code})
    return render(fmt, "service_definition", {
        "service_code": code,
        "attributes": [_attribute(a) for a in ATTRIBUTES],
    })


# --- requests -------------------------------------------------------------------------------


# --- what a caller may read ------------------------------------------------------------------

# Numbers in free text that identify a person, most specific first: an ID number (18
# characters, or the old 15 digits, optionally spaced 6-8-4), a mobile (with or without +86
# and spaces or hyphens), a landline with its area code, and any other run of 7 or more
# digits (a local landline, a bank card, a QQ number).
_PERSONAL_NUMBER = re.compile(
    r"(?<!\d)(?:"
    r"(?P<id>\d{6}[ -]?\d{8}[ -]?\d{3}[\dXx]|\d{15})"
    r"|(?P<mobile>(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4})"
    r"|(?P<landline>\(?0\d{2,3}\)?[ -]?\d{7,8})"
    r"|(?P<other>\d{7,})"
    r")(?!\d)"
)


def _mask_number(match) -> str:
    digits = re.sub(r"[^\dXx]", "", match.group(0))
    if match.group("id"):
        return personal_data.mask_id_number(digits)
    if match.group("mobile"):
        return personal_data.mask_phone(digits[-11:])
    if match.group("landline") and len(digits) >= 10:
        return personal_data.mask_phone(digits)
    return personal_data.mask_value(digits)


def screen_numbers(text: str) -> str:
    """``text`` with every phone number, ID number or other long run of digits masked with
    the platform's masks (``gridgov.core.personal_data``)."""
    return _PERSONAL_NUMBER.sub(_mask_number, text or "")


def _readable_events(principal):
    """Events as Open311 publishes them to ``principal`` (``None``: anonymous), never held
    content, each annotated ``full_view``: whether the caller may read it in full.

    Anonymous callers get the requests of ``PUBLIC_SOURCES``; an authenticated caller gets
    those plus, in full, whatever ``restrict()`` lets it see (a department key: the events
    dispatched to its department). Nothing about the reporter leaves the building either way.
    """
    queryset = (
        Event.objects.exclude(state__in=HIDDEN_STATES)
        # Held content a reviewer turned down (voided) stays unpublished.
        .exclude(Q(state=State.VOID) & ~Q(hold_reason=""))
        .select_related("category", "department", "grid__parent__parent")
        .only(
            "id", "number", "state", "source", "category__code", "category__name",
            "description", "department__name", "created_at", "updated_at", "handle_deadline",
            "stage_deadline", "address", "lat", "lng", "grid__name", "grid__level",
            "grid__parent__name", "grid__parent__level", "grid__parent__parent__name",
            "grid__parent__parent__level",
        )
        .annotate(media_id=extras.report_media_subquery())
    )
    public = Q(source__in=PUBLIC_SOURCES)
    if principal is None or get_scope(principal) is None:
        return queryset.filter(public).annotate(
            full_view=Value(False, output_field=BooleanField()))
    in_scope = Q(pk__in=Event.objects.restrict(principal).values("pk"))
    return queryset.filter(public | in_scope).annotate(full_view=Case(
        When(in_scope, then=Value(True)), default=Value(False), output_field=BooleanField()))


def _principal(request):
    """The reader: a department key (``api_key`` or ``Authorization: Api-Key``; a bad key is
    403, never read as anonymous), else the signed-in user, else ``None``."""
    return caller(request, _raw_key(request), invalid_key_message=_("api_key 无效或已吊销。"))


def _status(event) -> str:
    return "closed" if event.state in CLOSED_STATES else "open"


def public_place(event) -> str:
    """The street and community of the event's grid (鼓楼街道 西门社区), never the door."""
    names = []
    area = event.grid
    while area is not None:
        if area.level in (Level.STREET, Level.COMMUNITY):
            names.append(area.name)
        area = area.parent if area.level != Level.STREET else None
    return " ".join(reversed(names))


def _request_row(event, request) -> dict:
    """The spec's request: in full for an event the caller may read (``full_view``), else
    the public view (text screened, street and community, point rounded). ``media_url``
    links the public copy of the report's photo, for requests of the public channels only."""
    category = event.category
    expected = event.handle_deadline or event.stage_deadline
    full = getattr(event, "full_view", False)
    places = PUBLIC_COORDINATE_PLACES
    return {
        "service_request_id": str(event.number),
        "status": _status(event),
        "status_notes": str(STATUS_NOTES.get(event.state, "")),
        "service_name": category.name if category else "",
        "service_code": category.code if category else "",
        "description": event.description if full else screen_numbers(event.description),
        "agency_responsible": event.department.name if event.department_id else "",
        "service_notice": "",
        "requested_datetime": w3_datetime(event.created_at),
        "updated_datetime": w3_datetime(event.updated_at),
        "expected_datetime": w3_datetime(expected) if event.state not in CLOSED_STATES else None,
        "address": event.address if full else public_place(event),
        "address_id": "",
        "zipcode": "",
        "lat": float(event.lat) if full else round(float(event.lat), places),
        "long": float(event.lng) if full else round(float(event.lng), places),
        "media_url": extras.media_url(request, getattr(event, "media_id", None))
        if event.source in PUBLIC_SOURCES else "",
    }


def _filter_requests(data, principal=None):
    """The GET requests filters, plus the extensions ``updated_after`` / ``updated_before``
    (paging is the caller's)."""
    queryset = _readable_events(principal)
    ids = list_param(data, "service_request_id")
    if ids:
        # The spec: service_request_id overrides every other argument.
        return queryset.filter(number__in=ids).order_by("-created_at", "-id")
    codes = list_param(data, "service_code")
    if codes:
        queryset = queryset.filter(category__code__in=codes)
    statuses = list_param(data, "status")
    unknown = sorted(set(statuses) - {"open", "closed"})
    if unknown:
        raise ProtocolError(400, _("status 只能是 open 或 closed。"))
    if statuses and set(statuses) != {"open", "closed"}:
        closed = Q(state__in=CLOSED_STATES)
        queryset = queryset.filter(closed if statuses == ["closed"] else ~closed)
    start = datetime_param(data, "start_date")
    end = datetime_param(data, "end_date")
    updated_after = datetime_param(data, "updated_after")
    updated_before = datetime_param(data, "updated_before")
    if start and end and start > end:
        raise ProtocolError(400, _("start_date 不能晚于 end_date。"))
    if updated_after and updated_before and updated_after > updated_before:
        raise ProtocolError(400, _("updated_after 不能晚于 updated_before。"))
    if start is None and end is None and updated_after is None and updated_before is None:
        start = timezone.now() - DEFAULT_WINDOW
    if start is not None:
        queryset = queryset.filter(created_at__gte=start)
    if end is not None:
        queryset = queryset.filter(created_at__lte=end)
    if updated_after is not None:
        queryset = queryset.filter(updated_at__gt=updated_after)
    if updated_before is not None:
        queryset = queryset.filter(updated_at__lt=updated_before)
    return queryset.order_by("-created_at", "-id")


@csrf_exempt
@public_cors
@require_http_methods(["GET", "POST"])
@_guard
def requests_view(request, fmt):
    """GET requests (query) or POST requests (create, with api_key)."""
    if request.method == "POST":
        return create_request(request, fmt)
    data = request.GET
    queryset = _filter_requests(data, _principal(request))
    page = int_param(data, "page", 1, 1, 1_000_000)
    size = int_param(data, "page_size", MAX_PAGE_SIZE, 1, MAX_PAGE_SIZE)
    rows = list(queryset[(page - 1) * size: page * size])
    return render(fmt, "service_requests", [_request_row(e, request) for e in rows])


@public_cors
@require_GET
@_guard
def request_detail(request, fmt, request_id):
    """GET requests/{id}: one request, still as a list; with ``extensions=true`` its
    ``notes`` (status history) too."""
    with_notes = flag_param(request.GET, "extensions")
    event = _readable_event(request, request_id)
    row = _request_row(event, request)
    if with_notes:
        row["notes"] = _notes(event)
    return render(fmt, "service_requests", [row])


def _readable_event(request, request_id):
    event = _readable_events(_principal(request)).filter(number=request_id).first()
    if event is None:
        raise ProtocolError(404, _("没有编号为 %(id)s 的服务请求。") % {"id": request_id})
    return event


def _notes(event) -> list[dict]:
    full = getattr(event, "full_view", False)
    return extras.notes(event, closed=event.state in CLOSED_STATES,
                        screen=(lambda text: text) if full else screen_numbers)


@public_cors
@require_GET
@_guard
def request_notes(request, fmt, request_id):
    """GET requests/{id}/notes: the request's status history (the ``notes`` extension)."""
    return render(fmt, "notes", _notes(_readable_event(request, request_id)))


@public_cors
@require_GET
@_guard
def media(request, pk):
    """GET media/{id}: the public copy of a photo sent with a request an anonymous caller
    may read; anything else is 404."""
    readable = _readable_events(None).values("pk")
    attachment = EventAttachment.objects.filter(
        pk=pk, public=True, step=extras.REPORT_STEP, event__in=readable).first()
    if attachment is None:
        raise ProtocolError(404, _("没有这个公开的媒体文件。"))
    return extras.media_response(attachment)


@public_cors
@require_GET
@_guard
def token_detail(request, fmt, token):
    """GET tokens/{token}: the service request a token turned into. A request held for
    content review has no public id yet: ``service_request_id`` is empty until a reviewer
    releases it (and stays empty if the reviewer turns it down)."""
    event = (
        Event.objects.filter(source=Source.OPEN311, external_id=token)
        .only("number", "state", "hold_reason")
        .first()
    )
    if event is None:
        raise ProtocolError(404, _("没有这个 token 的服务请求。"))
    unpublished = event.state in HIDDEN_STATES or (
        event.state == State.VOID and event.hold_reason)
    request_id = None if unpublished else str(event.number)
    return render(fmt, "service_requests", [{"service_request_id": request_id,
                                             "token": token}])


@csrf_exempt
@public_cors
def not_found(request, fmt="xml", rest=""):
    """Anything else under /open311/v2/: the spec's 404 in the requested format."""
    return errors(fmt, 404, _("没有这个 Open311 资源。"))
