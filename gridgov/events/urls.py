"""Event pages under /events/: detail (E1), intake (E2), command room and lists (E3)."""

from .views import catalog, command, detail, intake, public

app_name = "events"

urlpatterns = [
    *detail.urlpatterns,  # E1: event detail with timeline and action forms
    *catalog.urlpatterns,  # E1: category catalog (list; editing by the system administrator)
    *command.urlpatterns,  # E3: command room, department and grid lists
    *intake.urlpatterns,  # E2: intake pages
    *public.urlpatterns,  # residents' private tracking links
]
