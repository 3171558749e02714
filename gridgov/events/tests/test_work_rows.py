"""The one rows partial of the workers' queues (events/command/_work_rows.html) with its
parameters: 部门待办 (claim, complete, return on every queue) and 我的事件 (verification on
"to_verify", the handler's buttons on "grid_tasks", nothing on "reported")."""

import re

import pytest

from gridgov.events.choices import State
from gridgov.events.tests.helpers_command import make_event

pytestmark = pytest.mark.django_db
DEPARTMENT = "/events/department/"
MINE = "/events/mine/"


def buttons(html: str, pk: int) -> set[str]:
    """The actions posted from the row of event ``pk``."""
    row = re.search(rf'<tr[^>]*data-event="{pk}".*?</tr>', html, re.S).group(0)
    return set(re.findall(rf'action="/events/(?:department|mine)/{pk}/(\w+)/"', row))


def test_the_department_rows(client_as, dept_handler, gulou_grid):
    dispatched = make_event(gulou_grid, state=State.DISPATCHED)
    handling = make_event(gulou_grid, state=State.IN_PROGRESS)
    client = client_as(dept_handler)
    html = client.get(DEPARTMENT, {"queue": "to_claim"}).content.decode()
    assert 'data-queue="to_claim"' in html
    assert buttons(html, dispatched.pk) == {"claim", "return"}
    html = client.get(DEPARTMENT, {"queue": "handling"}).content.decode()
    assert buttons(html, handling.pk) == {"complete", "return"}


def test_the_grid_worker_rows(client_as, grid_worker, gulou_grid):
    completed = make_event(gulou_grid, state=State.COMPLETED)
    task = make_event(gulou_grid, state=State.DISPATCHED, to_grid=True)
    client = client_as(grid_worker)
    html = client.get(MINE, {"tab": "to_verify"}).content.decode()
    assert 'data-tab="to_verify"' in html
    assert buttons(html, completed.pk) == {"verify"}
    assert "核查通过,结案" in html and "退回返工" in html
    html = client.get(MINE, {"tab": "grid_tasks"}).content.decode()
    assert buttons(html, task.pk) == {"claim"}  # no 回退 for a grid task


@pytest.mark.parametrize("template,text", [("_mine_rows.html", "暂无事件。"),
                                           ("_department_rows.html", "暂无待办事件。")])
def test_each_list_keeps_its_empty_text(rf, template, text):
    from django.template.loader import render_to_string

    html = render_to_string(f"events/command/{template}", {"rows": [], "queue": "x"},
                            request=rf.get("/"))
    assert f'<p class="gg-empty">{text}</p>' in html
