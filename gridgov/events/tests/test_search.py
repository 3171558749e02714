"""案件查询: every case in scope in any state, found by number, text, phone, address, place,
class, department and dates; pickers instead of codes; one FilterSet for page, API, export."""

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from gridgov.accounts.models import Department
from gridgov.areas.models import Area
from gridgov.audit.models import AuditRecord
from gridgov.events import actions
from gridgov.events.choices import State
from gridgov.events.filtersets import clear_options
from gridgov.events.models import Event
from gridgov.events.tests.helpers_command import category, make_event, make_overdue
from gridgov.events.views import search as search_view


@pytest.fixture(autouse=True)
def _fresh_picker_options():
    clear_options()
    yield
    clear_options()


pytestmark = pytest.mark.django_db
SEARCH = "/events/search/"
PHONE = "13905741234"


def numbers(response) -> list[str]:
    return [row["event"].number for row in response.context["rows"]]


@pytest.fixture
def cases(gulou_grid, gulou_grid2):
    closed = make_event(gulou_grid, state=State.CLOSED, description="河道漂浮物甲乙丙已清理",
                        address="测试专用西路 8 号")
    void = actions.void_event(make_event(gulou_grid2, description="重复上报的噪音丁戊"),
                              reason="重复", actor=None)
    open_ = make_event(gulou_grid, state=State.FILED, description="共享单车乱停放己庚",
                       phone=PHONE, nature="complaint")
    return {"closed": closed, "void": Event.objects.get(pk=void.pk), "open": open_}


def test_the_url_name_is_the_contract():
    assert reverse("events:search") == SEARCH


def test_all_states_in_scope_are_listed(client_as, dispatcher, cases, other_street):
    far = make_event(Area.objects.filter(code__startswith=other_street.code,
                                         level="grid").first())
    response = client_as(dispatcher).get(SEARCH)
    assert response.status_code == 200
    found = numbers(response)
    for key in ("closed", "void", "open"):
        assert cases[key].number in found
    assert far.number not in found
    # The badge names the state.
    assert "已结案" in response.content.decode() and "已作废" in response.content.decode()


def test_search_by_part_of_number_text_and_address(client_as, dispatcher, cases):
    client = client_as(dispatcher)
    closed = cases["closed"]
    part = closed.number[-8:]
    found = numbers(client.get(SEARCH, {"q": part}))
    assert closed.number in found and all(part in n for n in found)
    assert numbers(client.get(SEARCH, {"q": closed.number})) == [closed.number]
    assert numbers(client.get(SEARCH, {"q": "漂浮物甲乙丙"})) == [closed.number]
    assert numbers(client.get(SEARCH, {"q": "测试专用西路"})) == [closed.number]


def test_a_whole_phone_finds_only_for_those_who_call_back(client_as, intake_clerk, dispatcher,
                                                          cases):
    assert numbers(client_as(intake_clerk).get(SEARCH, {"q": "139-0574-1234"})) == [
        cases["open"].number]
    assert numbers(client_as(dispatcher).get(SEARCH, {"q": PHONE})) == []


def test_new_filters_nature_closed_dates_and_on_time(client_as, dispatcher, cases):
    client = client_as(dispatcher)
    complaints = numbers(client.get(SEARCH, {"nature": "complaint"}))
    assert cases["open"].number in complaints and cases["closed"].number not in complaints
    today = timezone.localdate().isoformat()
    closed_today = numbers(client.get(SEARCH, {"closed_after": today, "closed_before": today}))
    assert cases["closed"].number in closed_today and cases["open"].number not in closed_today
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert cases["closed"].number not in numbers(client.get(SEARCH, {"closed_after": tomorrow}))
    closed = cases["closed"]
    Event.objects.filter(pk=closed.pk).update(
        handle_deadline=closed.closed_at + dt.timedelta(hours=1))
    assert closed.number in numbers(client.get(SEARCH, {"on_time": "true"}))
    assert closed.number not in numbers(client.get(SEARCH, {"on_time": "false"}))
    Event.objects.filter(pk=closed.pk).update(
        handle_deadline=closed.closed_at - dt.timedelta(hours=1))
    assert closed.number in numbers(client.get(SEARCH, {"on_time": "false"}))
    # Still open past the handling deadline counts as not on time.
    late = cases["open"]
    Event.objects.filter(pk=late.pk).update(
        handle_deadline=timezone.now() - dt.timedelta(hours=1))
    assert late.number in numbers(client.get(SEARCH, {"on_time": "false"}))
    assert late.number not in numbers(client.get(SEARCH, {"on_time": "true"}))


def test_codes_in_the_url_still_filter_and_show_names(client_as, dispatcher, cases):
    cat = cases["closed"].category
    response = client_as(dispatcher).get(SEARCH, {"category": cat.code})
    assert cases["closed"].number in numbers(response)
    assert {row["event"].category_id for row in response.context["rows"]} == {cat.pk}
    html = response.content.decode()
    assert f'<option value="{cat.code}" selected>{cat.name}</option>' in html
    response = client_as(dispatcher).get(SEARCH, {"major": cat.major.code,
                                                  "department": "D034"})
    html = response.content.decode()
    assert f'<option value="{cat.major.code}" selected>{cat.major.name}</option>' in html
    dept = Department.objects.get(code="D034")
    assert f'<option value="D034" selected>{dept.name}</option>' in html
    # No field asks for a typed code, and 督办 offers 全部 / 是 / 否.
    assert "编码" not in "".join(str(f.label) for f in response.context["form"])
    supervised = str(response.context["form"]["supervised"])
    assert "未知" not in supervised and "全部" in supervised and ">是<" in supervised


def test_the_area_picker_lists_only_the_viewers_areas(client_as, grid_worker, dispatcher,
                                                      gulou_grid, gulou_grid2):
    html = client_as(grid_worker).get(SEARCH).content.decode()
    assert f'value="{gulou_grid.code}"' in html
    assert f'value="{gulou_grid2.code}"' not in html
    html = client_as(dispatcher).get(SEARCH, {"within": gulou_grid2.code}).content.decode()
    assert f'value="{gulou_grid2.code}" selected' in html
    assert 'data-picker="area"' in html and reverse("areas:tree") in html


@pytest.mark.parametrize("params,field", [({"within": "abc"}, "within"),
                                          ({"closed_after": "昨天"}, "closed_after"),
                                          ({"state": "nonsense"}, "state")])
def test_invalid_input_shows_the_error(client_as, dispatcher, cases, params, field,
                                       api_as):
    response = client_as(dispatcher).get(SEARCH, params)
    assert response.status_code == 400
    assert field in response.context["filter"].errors
    assert response.context["rows"] == []
    assert 'role="alert"' in response.content.decode()
    api = api_as(dispatcher).get("/api/v1/events/", params)
    assert api.status_code == 400
    assert field in {e["field"] for e in api.json()["errors"]}


def test_the_api_list_takes_the_same_new_filters(api_as, dispatcher, cases):
    body = api_as(dispatcher).get("/api/v1/events/", {"nature": "complaint",
                                                      "q": "己庚"}).json()
    rows = body["results"] if isinstance(body, dict) else body
    assert [r["number"] for r in rows] == [cases["open"].number]


def test_sort_by_deadline(client_as, dispatcher, gulou_grid):
    late = make_overdue(make_event(gulou_grid, state=State.FILED, description="甲"), minutes=60)
    soon = make_overdue(make_event(gulou_grid, state=State.FILED, description="乙"), minutes=5)
    found = numbers(client_as(dispatcher).get(SEARCH, {"sort": "deadline",
                                                       "state": "filed"}))
    assert found.index(late.number) < found.index(soon.number)


def test_query_count_is_constant(client_as, dispatcher, gulou_grid,
                                 django_assert_max_num_queries):
    client = client_as(dispatcher)
    make_event(gulou_grid, state=State.FILED)
    # Session, user, scope, count, rows, saved searches, the shell; the pickers' options
    # (catalogue, departments, areas) once per process and minute.
    with django_assert_max_num_queries(12) as few:
        client.get(SEARCH, {"q": "垃圾"})
    for _ in range(8):
        make_event(gulou_grid, state=State.DISPATCHED)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(SEARCH, {"q": "垃圾"})
    assert len(response.context["rows"]) >= 9


def test_menu_entry_for_those_who_see_events(client_as, dispatcher, dept_handler, sys_admin):
    assert SEARCH in client_as(dispatcher).get("/").content.decode()
    assert SEARCH in client_as(dept_handler).get("/").content.decode()
    assert client_as(sys_admin).get(SEARCH).status_code == 403


# --- export ---------------------------------------------------------------------------------


def _sheet(response):
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def test_export_is_the_same_search_masked_and_audited(client_as, intake_clerk, cases):
    response = client_as(intake_clerk).get("/events/search/export.xlsx",
                                           {"q": cases["open"].number})
    assert response.status_code == 200
    rows = _sheet(response)
    assert rows[0][0] == "事件编号"
    assert [r[0] for r in rows[1:]] == [cases["open"].number]
    flat = " ".join(str(v) for r in rows for v in r)
    assert PHONE not in flat and cases["open"].reporter_phone_masked in flat
    audit = AuditRecord.objects.filter(action="events.search_export").latest("id")
    assert audit.actor_id == intake_clerk.pk
    csv_response = client_as(intake_clerk).get("/events/search/export.csv", {"q": PHONE})
    assert csv_response.status_code == 200
    text = csv_response.content.decode("utf-8-sig")
    assert cases["open"].number in text and PHONE not in text
    # The audit record keeps the search, never the phone typed into it.
    last = AuditRecord.objects.filter(action="events.search_export").latest("id")
    assert PHONE not in str(last.changes)


def test_export_is_capped_with_a_message(client_as, dispatcher, cases, monkeypatch):
    monkeypatch.setattr(search_view, "EXPORT_LIMIT", 1)
    page = client_as(dispatcher).get(SEARCH)
    assert page.context["export_capped"]
    rows = _sheet(client_as(dispatcher).get("/events/search/export.xlsx"))
    assert "仅导出前 1 件" in rows[0][0]
    assert len(rows) == 3  # note, header, one row
    bad = client_as(dispatcher).get("/events/search/export.xlsx", {"within": "x"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "within"
    assert client_as(dispatcher).get("/events/search/export.pdf").status_code == 404


def test_category_tree_json(client_as, dispatcher):
    cat = category()
    tree = client_as(dispatcher).get("/events/search/categories.json").json()["results"]
    major = next(m for m in tree if m["code"] == cat.major.code)
    assert {"code": cat.code, "name": cat.name} in major["minors"]


# --- the queue pages' filter ----------------------------------------------------------------


def test_command_room_filter_uses_pickers(client_as, dispatcher):
    html = client_as(dispatcher).get("/events/command/").content.decode()
    assert 'data-picker="category"' in html and 'data-picker="area"' in html
    assert "编码" not in html.split('data-event-filter', 1)[1].split("</form>", 1)[0]
    assert "pickers.js" in html
    assert "未知" not in html.split('name="supervised"', 1)[1].split("</select>", 1)[0]


def test_a_value_left_out_of_the_options_is_still_named(client_as, district_leader,
                                                        gulou_grid):
    html = client_as(district_leader).get(SEARCH, {"within": gulou_grid.code}).content.decode()
    assert f'<option value="{gulou_grid.code}" selected>{gulou_grid.name}</option>' in html
    cat = category()
    cat.is_active = False
    cat.save()
    clear_options()
    html = client_as(district_leader).get(SEARCH, {"category": cat.code}).content.decode()
    assert f'<option value="{cat.code}" selected>{cat.name}</option>' in html


def test_conditions_in_force_are_named_and_removable(client_as, dispatcher, gulou_grid):
    cat = category()
    response = client_as(dispatcher).get(SEARCH, {"category": cat.code, "state": "closed",
                                                  "within": gulou_grid.code,
                                                  "supervised": "true"})
    chips = {c["name"]: c for c in response.context["chips"]}
    assert chips["category"]["value"] == cat.name
    assert chips["state"]["value"] == "已结案"
    assert chips["within"]["value"] == gulou_grid.name
    assert chips["supervised"]["value"] == "是"
    assert "category=" not in chips["category"]["remove"]
    assert f"within={gulou_grid.code}" in chips["category"]["remove"]
