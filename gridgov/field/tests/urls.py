"""A test-only page for the outbox's browser tests: one data-outbox form posting to the real
intake API (``POST /api/v1/events/report/``), inside the terminal's shell at /m/. Used with
``@pytest.mark.urls("gridgov.field.tests.urls")``."""

from pathlib import Path

from django.http import HttpResponse
from django.template import engines
from django.urls import path

from gridgov.field.auth import field_login_required
from gridgov.urls import urlpatterns as site_urlpatterns

PAGE = (Path(__file__).parent / "outbox_form.html").read_text(encoding="utf-8")


@field_login_required
def outbox_form(request):
    template = engines["django"].from_string(PAGE)
    return HttpResponse(template.render({"point": request.GET.get("p", "")}, request))


urlpatterns = [path("m/test-outbox/", outbox_form), *site_urlpatterns]
