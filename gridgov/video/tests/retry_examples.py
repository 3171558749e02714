"""Retry examples of the camera registry's writes for
gridgov/core/tests/test_retry_every_write.py: who calls each operation, the path's
parameters and a valid body. The writer is a data officer of 区公安分局 made here (the demo
has none)."""

from .retry_examples_live import examples as live_examples

RETRY_CODE = "33020300001320998001"


def _officer():
    from gridgov.accounts.models import User

    from .support import make_officer

    return (User.objects.filter(username="t_retry_gongan").first()
            or make_officer("t_retry_gongan", "D015"))


def _point():
    import shapely.geometry

    from gridgov.areas.models import Area

    grid = Area.objects.get(code="330203005001001")
    p = shapely.geometry.shape(grid.geometry).representative_point()
    return p.x, p.y


def _camera():
    from gridgov.accounts.models import Department
    from gridgov.video import actions

    lng, lat = _point()
    return actions.register_camera(actor=None, owner=Department.objects.get(code="D015"),
                                   code="33020300001320998002", name="重试球机", lng=lng,
                                   lat=lat, sharing_type="conditional",
                                   sharing_condition="按事由调阅")


def _grant():
    from gridgov.accounts.models import Department
    from gridgov.video import actions

    return actions.grant_cameras(actor=None, owner=Department.objects.get(code="D015"),
                                 department=Department.objects.get(code="D016"),
                                 reason="重试授权")


def examples(Example) -> dict:
    """``{operationId: lambda p: Example(actor, params, body)}``."""

    def create(p):
        lng, lat = _point()
        return Example(_officer(), body={"code": RETRY_CODE, "name": "重试登记", "lng": lng,
                                         "lat": lat, "sharing_type": "unconditional"})

    return {
        "video_cameras_create": create,
        "video_cameras_partial_update": lambda p: Example(
            _officer(), {"code": _camera().code}, {"name": "重试改名"}),
        "video_cameras_status_create": lambda p: Example(
            _officer(), {"code": _camera().code}, {"status": "fault", "reason": "重试"}),
        "video_cameras_retire_create": lambda p: Example(
            _officer(), {"code": _camera().code}, {"reason": "重试停用"}),
        "video_grants_create": lambda p: Example(
            _officer(), body={"department": "D016", "reason": "重试授权"}),
        "video_grants_revoke_create": lambda p: Example(
            _officer(), {"id": _grant().pk}, {"reason": "重试撤销"}),
        **live_examples(Example),
    }
