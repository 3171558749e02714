import pytest

from .support import on_duty  # noqa: F401


@pytest.fixture(autouse=True)
def _no_demo_tasks(request):
    """Each test starts without tasks (the demo may hold some): counts stay exact."""
    if "db" in request.fixturenames or request.node.get_closest_marker("django_db"):
        from gridgov.tasks.models import Task

        request.getfixturevalue("db")
        Task.objects.all().delete()
