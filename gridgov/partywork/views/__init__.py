"""Desktop pages of 党员联系户 and volunteer service (/party/work/)."""

from django.urls import path

from .activities import ActivityEditView, ActivityListView, ActivityOpView, ActivityView
from .links import LinkNewView, LinkView, UnlinkView, WorkView
from .members import MemberView

app_name = "partywork"
urlpatterns = [
    path("", WorkView.as_view(), name="work"),
    path("links/new/", LinkNewView.as_view(), name="link_new"),
    path("links/<int:pk>/", LinkView.as_view(), name="link"),
    path("links/<int:pk>/unlink/", UnlinkView.as_view(), name="unlink"),
    path("activities/", ActivityListView.as_view(), name="activities"),
    path("activities/new/", ActivityEditView.as_view(), name="activity_new"),
    path("activities/<int:pk>/", ActivityView.as_view(), name="activity"),
    path("activities/<int:pk>/edit/", ActivityEditView.as_view(), name="activity_edit"),
    path("activities/<int:pk>/<slug:op>/", ActivityOpView.as_view(), name="activity_op"),
    path("members/<int:pk>/", MemberView.as_view(), name="member"),
]
