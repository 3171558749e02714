"""Desktop pages of the tasks app."""

from django.urls import path

from .views import desktop

app_name = "tasks"
urlpatterns = [
    path("", desktop.TaskListView.as_view(), name="list"),
    path("new/", desktop.TaskCreateView.as_view(), name="new"),
    path("<int:pk>/", desktop.TaskDetailView.as_view(), name="detail"),
    path("<int:pk>/cancel/", desktop.TaskCancelView.as_view(), name="cancel"),
    path("<int:pk>/reassign/", desktop.TaskReassignView.as_view(), name="reassign"),
    path("<int:pk>/photos/<int:photo_pk>/", desktop.TaskPhotoView.as_view(), name="photo"),
]
