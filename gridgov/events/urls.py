"""Event pages under /events/: detail (E1), intake (E2), the pages by role (E3)."""

from .views import (
    catalog,
    command,
    department,
    detail,
    evidence,
    files,
    grid,
    intake,
    live_map,
    public,
    search,
)

app_name = "events"

urlpatterns = [
    *detail.urlpatterns,  # E1: event detail with timeline and action forms
    *files.urlpatterns,  # E1: an event's attachments, through the reader's scope
    *catalog.urlpatterns,  # E1: category catalog (list; editing by the system administrator)
    *evidence.urlpatterns,  # evidence rules of completion and verification (administrators)
    *command.urlpatterns,  # E3: command room queues, dispatch, decisions
    *live_map.urlpatterns,  # E3: the command room's live map
    *department.urlpatterns,  # E3: the department handler's list
    *grid.urlpatterns,  # E3: the grid worker's list
    *intake.urlpatterns,  # E2: intake pages
    *public.urlpatterns,  # residents' private tracking links
    *search.urlpatterns,  # 案件查询: find any case, saved searches, export, picker data
]
