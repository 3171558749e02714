"""Retry examples of the proactive services API's writes for
gridgov/core/tests/test_retry_every_write.py: who calls each operation, the path's parameters
and a valid body (``p``: the workflow people of events/tests/workflow_support)."""

import datetime as dt

from gridgov.demo.basedata import make_id_number
from gridgov.demo.users import GULOU_GRID


def _task():
    """An open 主动巡查 task in the worker's grid (GULOU_GRID), opened by the system."""
    from gridgov.areas.models import Area
    from gridgov.proactive import actions

    return actions.open_task(kind="inspection", title="重试巡查",
                             grid=Area.objects.get(code=GULOU_GRID), subject="重试路口")


def _person():
    from gridgov.areas.models import Area
    from gridgov.basedata import actions

    return actions.create_person(actor=None, grid=Area.objects.get(code=GULOU_GRID),
                                 name="重试乙", id_number=make_id_number(
                                     dt.date(1941, 3, 6), 7102, True),
                                 phone="13912340001", address="重试路2号")


def examples(Example) -> dict:
    """``{operationId: lambda p: Example(actor, params, body)}``."""
    return {
        "proactive_tasks_close_create": lambda p: Example(
            p["worker"], {"id": _task().pk}, {"note": "已巡查,无异常"}),
        "proactive_consents_create": lambda p: Example(p["worker"], body={
            "person": _person().pk, "agreed": True, "note": "本人当面确认"}),
    }
