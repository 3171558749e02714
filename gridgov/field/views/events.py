"""Field terminal, tab 核查: the grid's events, handled and verified on site.

- ``/m/events/`` (``field:events-list``): three segments read from the grid worker's queues
  (``gridgov.events.queues.GRID``): 待核查 (``to_verify``: completed, waiting for the grid's
  check), 待处置 (``grid_tasks``: dispatched to the grid, being handled there) and 我上报的
  (``reported``, the last ``MINE_DAYS`` days); 20 rows a page, each a ``data-precache`` link
  so the case opens offline. Queries: the scope, one aggregate for the three counts, the
  page's count and its rows, whatever the number of rows.
- ``/m/events/<number>/`` (``field:events-detail``): the case: state and deadline,
  description, class, address, a small map of the point, photos, the timeline (newest last)
  and the actions open to this worker now (``workflow.available_actions``), each a
  ``data-outbox`` form posting to the workflow API (``/api/v1/events/<id>/<action>/``) with
  ``expected_version``, so a case that changed meanwhile answers 409 and the outbox shows the
  conflict. Forms that carry evidence also carry the device's fix (``data-geo``), stamped on
  the step with its distance to the event.

Everything reads through ``Event.objects.restrict()``: another grid's or street's case
answers 404. Nothing here writes; the home screen's 待核查 and 待处置 come from ``today``.
"""

import datetime as dt

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.areas import datum
from gridgov.core.access import get_scope
from gridgov.events import deadlines, evidence, queues, trace
from gridgov.events.choices import DeadlineStatus, State
from gridgov.events.models import Event
from gridgov.events.views import casefile
from gridgov.events.views.files import link_timeline
from gridgov.events.workflow import available_actions
from gridgov.field import today
from gridgov.web.basemap import basemap_config

from ..auth import field_login_required

PAGE_SIZE = 20
MINE_DAYS = 30
HOME_ROWS = 3

# The segments: (``?tab=``, the queue of ``queues.GRID``, the label).
TABS = (
    ("verify", "to_verify", gettext_lazy("待核查")),
    ("handle", "grid_tasks", gettext_lazy("待处置")),
    ("mine", "reported", gettext_lazy("我上报的")),
)
TAB_QUEUE = {key: queue for key, queue, _label in TABS}
# Oldest deadline first where a deadline runs; the newest report first in one's own list.
TAB_ORDER = {
    "verify": ("stage_deadline", "created_at"),
    "handle": ("stage_deadline", "created_at"),
    "mine": ("-created_at",),
}
# The actions the terminal offers (the rest stay on the desktop case file), in this order.
FIELD_ACTIONS = ("verify", "claim", "complete", "resolve_on_spot")
ROW_FIELDS = ("id", "number", "state", "address", "category__name", "created_at",
              "stage_deadline", "stage_started_at", "version")


def _extra(key, now) -> Q:
    """What the terminal adds to a queue: one's own reports of the last ``MINE_DAYS`` days."""
    if key == "mine":
        return Q(created_at__gte=now - dt.timedelta(days=MINE_DAYS))
    return Q()


def tab_counts(user, scope, now) -> dict[str, int]:
    """{tab: count} for the three segments in one aggregate query ({} without grid work)."""
    if scope is None or not scope.can(*queues.GRID.permission):
        return {}
    # The WHERE keeps the open cases (and one's own reports): an index skips the history.
    wanted = [queues.GRID.get(queue) for _key, queue, _label in TABS]
    return Event.objects.restrict(user).filter(
        queues.count_where(queues.GRID, wanted, scope, now)).aggregate(**{
        key: Count("pk", filter=queues.queue_q(queue, scope, now, queues.GRID)
                   & _extra(key, now))
        for key, queue, _label in TABS})


def tab_queryset(key, user, now):
    """The events of one segment with their deadline mark, in the segment's order."""
    return (queues.queue_queryset(TAB_QUEUE[key], user, now, room=queues.GRID)
            .filter(_extra(key, now))
            .select_related("category").only(*ROW_FIELDS)
            .with_deadline_status(now).order_by(*TAB_ORDER[key], "pk"))


def row(event, now) -> dict:
    """One list row: the event, its link, its age and its deadline badge (no queries)."""
    mark = getattr(event, "deadline_status_value", None) or event.deadline_status(now)
    return {
        "event": event,
        "url": reverse("field:events-detail", kwargs={"number": event.number}),
        "overdue": mark == DeadlineStatus.OVERDUE,
        "due_soon": mark == DeadlineStatus.DUE_SOON,
        "deadline_label": DeadlineStatus(mark).label if mark else "",
    }


@field_login_required
def events_list(request):
    """核查 tab: the three segments, paginated."""
    now = timezone.now()
    key = request.GET.get("tab") or "verify"
    if key not in TAB_QUEUE:
        raise Http404(_("没有这个列表。"))
    scope = get_scope(request.user)
    counts = tab_counts(request.user, scope, now)
    page = Paginator(tab_queryset(key, request.user, now), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "field/events/list.html", {
        "tabs": [{"key": k, "label": label, "count": counts.get(k, 0), "active": k == key}
                 for k, _queue, label in TABS],
        "tab": key,
        "page": page,
        "rows": [row(event, now) for event in page.object_list],
        "mine_days": MINE_DAYS,
    })


# --- the case ---------------------------------------------------------------------------------


def _map(event) -> dict:
    """The small map's configuration: the point in the tile server's datum, and the same
    point in WGS-84 (the device's fix is compared with it to show the distance)."""
    crs = casefile.map_crs()
    lng, lat = datum.from_wgs84(event.lng, event.lat, crs)
    return {"crs": crs, "tileUrl": settings.GRIDGOV_TILE_URL,
            "tileAttribution": settings.GRIDGOV_TILE_ATTRIBUTION,
            "basemap": basemap_config(overlays=False),  # a phone: no overlay control
            "point": [round(lat, 6), round(lng, 6)], "wgs84": [event.lng, event.lat],
            "grid": casefile.grid_outline(event, crs),
            "text": {"here": _("事件位置"), "you": _("您的位置"),
                     "distance": _("距事件约 %(n)s 米")}}


def _form(event, action, need) -> dict:
    """One action form: where it posts, what the outbox calls it, what it must carry."""
    labels = {
        "verify": _("核查:%(number)s"),
        "claim": _("签收:%(number)s"),
        "complete": _("处置完毕:%(number)s"),
        "resolve_on_spot": _("自行处置:%(number)s"),
    }
    return {
        "action": action,
        "url": reverse(f"event-{action.replace('_', '-')}", kwargs={"pk": event.pk}),
        "label": labels[action] % {"number": event.number},
        "need": need,
        "geo": action != "claim",
        "overdue": action == "complete" and event.handle_overdue,
    }


def action_forms(event, user) -> list[dict]:
    """The field actions open to ``user`` on ``event`` now, with their evidence rules."""
    open_now = {t.action for t in available_actions(event, user)}
    out = []
    for action in FIELD_ACTIONS:
        if action in open_now:
            need = evidence.requirement(event, action) if action in evidence.STEP_OF else None
            out.append(_form(event, action, need))
    return out


@field_login_required
def event_detail(request, number):
    """One case of the worker's scope (404 outside it), with what they may do now."""
    event = (Event.objects.restrict(request.user)
             .select_related("category__major", "department", "grid", "assignee")
             .filter(number=number).first())
    if event is None:
        raise Http404(_("事件不存在或不在您的范围内。"))
    now = timezone.now()
    entries = trace.timeline(event)
    originals = link_timeline(event, entries, request.user)
    photos = casefile.photo_groups(entries, originals)
    for entry in entries:  # one copy of each photo on its step, as in the photo grid
        entry.thumbs = [a for a in entry.attachments if a.get("thumb_url") and not (
            originals and a["attachment"].public)]
    return render(request, "field/events/detail.html", {
        "event": event,
        "deadline": row(event, now),
        "timeline": entries,
        "photos": [p for group in ("before", "after", "checks") for p in photos[group]],
        "forms": action_forms(event, request.user),
        "case_map": _map(event),
        "back_url": reverse("field:events-list") + "?tab=" + _back_tab(event, request.user),
    })


def _back_tab(event, user) -> str:
    if event.state == State.COMPLETED:
        return "verify"
    if event.state in (State.DISPATCHED, State.IN_PROGRESS) and not event.department_id:
        return "handle"
    return "mine" if event.reporter_user_id == user.pk else "verify"


# --- home screen (待办) -----------------------------------------------------------------------


def _section(request, key, title):
    """A home-screen section for one segment: its count, overdue count and first rows.

    Queries: the scope, one aggregate (count and overdue), the first rows."""
    scope = get_scope(request.user)
    if scope is None or not scope.can(*queues.GRID.permission):
        return None
    now = timezone.now()
    queryset = tab_queryset(key, request.user, now)
    totals = queryset.order_by().aggregate(
        count=Count("pk"),
        overdue=Count("pk", filter=deadlines.overdue_q(now)))
    if not totals["count"]:
        return None
    url = reverse("field:events-list") + f"?tab={key}"
    items = []
    for event in queryset[:HOME_ROWS]:
        mark = row(event, now)
        items.append(today.TodayItem(
            title=f"{event.number} · {event.category.name if event.category_id else ''}",
            subtitle=event.address, url=mark["url"], badge=str(mark["deadline_label"])
            if mark["overdue"] or mark["due_soon"] else "", overdue=mark["overdue"]))
    return today.TodaySection(key=f"events-{key}", title=str(title), count=totals["count"],
                              url=url, items=items, overdue=totals["overdue"])


def to_verify_section(request):
    """待核查: completed cases of the worker's grids waiting for the on-site check."""
    return _section(request, "verify", _("待核查"))


def to_handle_section(request):
    """待处置: cases dispatched to the worker's grids, to be handled there."""
    return _section(request, "handle", _("待处置"))


def register_today() -> None:
    """Put the two sections on the home screen (orders 10 and 20)."""
    today.register("events-verify", order=10)(to_verify_section)
    today.register("events-handle", order=20)(to_handle_section)


urlpatterns = [
    path("", events_list, name="events-list"),
    path("<str:number>/", event_detail, name="events-detail"),
]
