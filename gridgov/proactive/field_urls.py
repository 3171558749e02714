"""Screens of proactive services in the field terminal (/m/proactive/, names in ``field``)."""

from django.urls import path

from .field_views import ListView, TaskView

urlpatterns = [
    path("", ListView.as_view(), name="proactive-list"),
    path("<int:pk>/", TaskView.as_view(), name="proactive-task"),
]
