"""The event page as a case file: the map (point, grid outline, nearby reports in scope),
the photos before and after as thumbnails with human names, and the next steps as buttons
that say what they will do (the dispatch department preselected and named)."""

import datetime as dt
import json
import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gridgov.events.choices import State
from gridgov.events.models import Event
from gridgov.events.views import casefile

from .helpers_command import category, make_event
from .intake_support import jpeg_with_gps

pytestmark = pytest.mark.django_db

METRE_LAT = 1 / 111_320  # degrees of latitude in a metre


def _page(client, event):
    response = client.get(f"/events/{event.pk}/")
    assert response.status_code == 200
    return response


def _map(response) -> dict:
    found = re.search(r'<script id="gg-case-map-config" type="application/json">(.*?)</script>',
                      response.content.decode(), re.S)
    return json.loads(unescape(found.group(1)))


def _nearby_numbers(config) -> list[str]:
    reports = next(g for g in config["nearby"] if g["key"] == "reports")
    return [item["title"] for item in reports["items"]]


def _move(event, *, north_m=0, days_ago=None):
    values = {"lat": event.lat + north_m * METRE_LAT}
    if days_ago is not None:
        values["created_at"] = timezone.now() - dt.timedelta(days=days_ago)
    Event.objects.filter(pk=event.pk).update(**values)


def test_the_map_shows_the_point_the_grid_and_nearby_reports_in_scope(
        client_as, dispatcher, grid_worker, gulou_grid, gulou_grid2):
    event = make_event(gulou_grid, state=State.FILED)
    near = make_event(gulou_grid)
    _move(near, north_m=200)
    far = make_event(gulou_grid)
    _move(far, north_m=800)
    old = make_event(gulou_grid)
    _move(old, north_m=50, days_ago=120)
    # In the street's scope but not in grid 1's: the grid worker must not see it listed.
    neighbour = make_event(gulou_grid2)
    Event.objects.filter(pk=neighbour.pk).update(lng=event.lng, lat=event.lat + 100 * METRE_LAT)

    response = _page(client_as(dispatcher), event)
    config = _map(response)
    assert config["point"] == [pytest.approx(event.lat, abs=1e-6),
                               pytest.approx(event.lng, abs=1e-6)]
    assert config["grid"]["properties"]["code"] == gulou_grid.code
    assert config["grid"]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    numbers = _nearby_numbers(config)
    assert {near.number, neighbour.number} <= set(numbers)
    assert not {event.number, far.number, old.number} & set(numbers)
    reports = next(g for g in config["nearby"] if g["key"] == "reports")["items"]
    distances = [item["distance"] for item in reports]
    assert distances == sorted(distances) and max(distances) <= casefile.NEARBY_RADIUS_M
    assert next(i for i in reports if i["title"] == near.number)["distance"] == pytest.approx(
        200, abs=2)
    html = response.content.decode()
    assert 'id="gg-case-map"' in html and "/static/events/case_map.js" in html
    assert f'data-nearby-item="{near.number}"' in html

    worker_numbers = _nearby_numbers(_map(_page(client_as(grid_worker), event)))
    assert near.number in worker_numbers and neighbour.number not in worker_numbers


def test_nearby_is_capped_nearest_first(client_as, dispatcher, gulou_grid, monkeypatch):
    monkeypatch.setattr(casefile, "NEARBY_LIMIT", 2)
    event = make_event(gulou_grid)
    made = []
    for metres in (300, 100, 200):
        other = make_event(gulou_grid)
        _move(other, north_m=metres)
        made.append(other)
    Event.objects.exclude(pk__in=[event.pk, *[m.pk for m in made]]).filter(
        area_code=gulou_grid.code).update(lat=event.lat + 0.1)  # the demo's events, far away
    numbers = _nearby_numbers(_map(_page(client_as(dispatcher), event)))
    assert numbers == [made[1].number, made[2].number]


def test_photos_before_and_after_as_thumbnails_with_human_names(
        client_as, dispatcher, gulou_grid):
    before = SimpleUploadedFile("现场.jpg", jpeg_with_gps(), content_type="image/jpeg")
    event = make_event(gulou_grid, state=State.COMPLETED, attachments=[before])
    html = _page(client_as(dispatcher), event).content.decode()
    section = html.split('data-photos="before"', 1)[1].split('data-photos="after"', 1)
    before_html, after_html = section[0], section[1].split("</section>", 1)[0]
    originals = {a.pk: a for a in event.attachments.filter(public=False, kind="photo")}
    report_photo = next(a for a in originals.values() if a.name == "现场.jpg")
    done_photo = next(a for a in originals.values() if a is not report_photo)
    thumb = f"/events/{event.pk}/attachments/{{}}/thumb/m/"
    assert thumb.format(report_photo.pk) in before_html
    assert thumb.format(done_photo.pk) in after_html
    # Each thumbnail opens the full photo; staff see the original, not its public copy too.
    assert f'href="/events/{event.pk}/attachments/{report_photo.pk}/"' in before_html
    assert before_html.count("<img") == 1 and after_html.count("<img") == 1
    # Names a person can read: the step and the local time, and the name it was sent with.
    when = timezone.localtime(event.created_at).strftime("%m-%d")
    assert f"上报 · {when}" in before_html and "现场.jpg" in before_html
    assert "处置完毕 · " in after_html
    # No stored name glued to a hash ("photo.jpg45a92770f794") anywhere on the page.
    assert not re.search(r"\.jpg[0-9a-f]{6,}", html)
    assert "照片 · 上报 · " in html  # the timeline names the file the same way


def test_a_case_without_photos_says_so(client_as, dispatcher, gulou_grid):
    event = make_event(gulou_grid)
    html = _page(client_as(dispatcher), event).content.decode()
    assert "本事件还没有照片。" in html


def test_next_steps_are_buttons_with_their_consequences(client_as, dispatcher, shift_leader,
                                                       gulou_grid):
    event = make_event(gulou_grid, state=State.FILED, cat=category("D034"))
    department = event.category.default_department
    response = _page(client_as(dispatcher), event)
    steps = response.context["next_steps"]
    assert [s["action"] for s in steps][0] == "dispatch" and steps[0]["primary"]
    html = response.content.decode()
    fold = html.split('id="action-dispatch"', 1)[1].split("</details>", 1)[0]
    assert f"将派往:{department.name}" in fold and "状态将变为“已派遣”" in fold
    # Preselected, named in the select: no "---------" and no silent default.
    assert re.search(rf'<option value="{department.code}"[^>]*selected', fold)
    assert "---------" not in fold
    assert "gg-btn gg-btn-primary" in fold
    shift = _page(client_as(shift_leader), event)
    actions = [s["action"] for s in shift.context["next_steps"]]
    assert actions[-1] == "void"  # the irreversible one last, drawn as a danger button
    void = shift.content.decode().split('id="action-void"', 1)[1].split("</details>", 1)[0]
    assert "gg-btn-danger" in void and "作废后事件结束" in void


def test_case_file_query_count_is_bounded(client_as, dispatcher, gulou_grid,
                                          django_assert_max_num_queries):
    event = make_event(gulou_grid, state=State.COMPLETED)
    client = client_as(dispatcher)
    _page(client, event)
    for _ in range(5):
        other = make_event(gulou_grid)
        _move(other, north_m=50)
    with django_assert_max_num_queries(14):
        _page(client, event)


def test_under_a_gcj02_tile_server_the_map_is_in_gcj02(client_as, dispatcher, gulou_grid,
                                                        settings):
    from gridgov.areas.datum import wgs84_to_gcj02

    settings.GRIDGOV_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.GRIDGOV_TILE_CRS = "gcj02"
    event = make_event(gulou_grid)
    config = _map(_page(client_as(dispatcher), event))
    lng, lat = wgs84_to_gcj02(event.lng, event.lat)
    assert config["crs"] == "gcj02" and config["tileUrl"] == settings.GRIDGOV_TILE_URL
    assert config["point"] == [pytest.approx(lat, abs=1e-6), pytest.approx(lng, abs=1e-6)]
    assert abs(config["point"][1] - event.lng) > 1e-3  # really shifted, not WGS-84


def test_a_reporter_sees_the_public_copy_in_the_photo_grid(client_as, grid_worker2,
                                                           gulou_grid):
    """A grid worker of grid 2 reporting in grid 1 follows the case as its reporter: the
    photo grid shows the public copy (metadata stripped), never the original."""
    photo = SimpleUploadedFile("现场.jpg", jpeg_with_gps(), content_type="image/jpeg")
    event = make_event(gulou_grid, reporter=grid_worker2, attachments=[photo])
    html = _page(client_as(grid_worker2), event).content.decode()
    public = event.attachments.get(public=True)
    original = event.attachments.get(public=False)
    before = html.split('data-photos="before"', 1)[1].split('data-photos="after"', 1)[0]
    assert f"/attachments/{public.pk}/thumb/m/" in before
    assert f"/attachments/{original.pk}/" not in html


def test_consequences_read_as_separate_sentences_in_english(gulou_grid):
    from django.utils import translation

    from gridgov.events.views.casefile import _sentences

    assert _sentences(["将派往:甲。", "", "状态将变为“已派遣”。"]) == (
        "将派往:甲。状态将变为“已派遣”。")
    with translation.override("en"):
        assert _sentences(["It goes to A.", "", "It becomes dispatched."]) == (
            "It goes to A. It becomes dispatched.")
