"""Demo data of the rule engine: one place where the same problem was reported three times
this month (a broken manhole cover near the first Gulou grid's gate), so the default rule
"同一地点反复上报主动巡查" has a hotspot to fire on. Reports go through
``events.actions.report_event`` (as the system, from the hotline), with idempotency keys:
loading twice adds nothing.

The rules themselves are data of ``gridgov.proactive`` (its migration 0002); the demo's run of
the rules is ``gridgov.demo.proactive.load`` — call this module's ``load`` before it.
"""

from django.utils import timezone

GRID = "330203005001001"
CATEGORY = "0109"  # 井盖 (missing or broken manhole cover)
REPORTS = [
    ("demo-hotspot-1", "小区东门口井盖松动,车压过去哐哐响", "13800002001"),
    ("demo-hotspot-2", "东门井盖翘起来了,晚上差点绊倒老人", "13800002002"),
    ("demo-hotspot-3", "又是东门那个井盖,已经反映过两次还没修好", "13800002003"),
]
# Each report a few metres from the first (one ~50 m cell of the hotspot subject).
OFFSETS = [(0.0, 0.0), (0.00003, 0.00001), (-0.00002, 0.00002)]


def _say(stdout, text):
    if stdout is not None:
        stdout.write(text + "\n")


def _anchor(grid):
    """A point inside the grid at the middle of a hotspot cell."""
    import shapely.geometry

    from gridgov.rules.rule_specs import CELL_DEGREES

    point = shapely.geometry.shape(grid.geometry).representative_point()
    return ((int(point.x / CELL_DEGREES) + 0.5) * CELL_DEGREES,
            (int(point.y / CELL_DEGREES) + 0.5) * CELL_DEGREES)


def load(stdout=None) -> dict:
    """Add the three hotline reports of the demo hotspot when missing; counts."""
    from gridgov.areas.models import Area
    from gridgov.events import actions
    from gridgov.events.models import Event, MinorCategory

    grid = Area.objects.filter(code=GRID).first()
    category = MinorCategory.objects.filter(code=CATEGORY, is_active=True).first()
    if grid is None or category is None:
        return {"reports": 0}
    existing = set(Event.objects.filter(idempotency_key__startswith="demo-hotspot-")
                   .values_list("idempotency_key", flat=True))
    lng, lat = _anchor(grid)
    created = 0
    for (key, text, phone), (dx, dy) in zip(REPORTS, OFFSETS, strict=True):
        if key in existing:
            continue
        actions.report_event(source="hotline_12345", description=text, lng=lng + dx,
                             lat=lat + dy, actor=None, category=category,
                             address="海曙区鼓楼街道某小区东门", reporter_name="市民",
                             reporter_phone=phone, idempotency_key=key,
                             observed_at=timezone.now())
        created += 1
    _say(stdout, f"规则 rules: {created} reports of the demo hotspot added")
    return {"reports": created}
