"""Screens of the visits app in the field terminal (/m/visits/, names in ``field``)."""

from django.urls import path

from .field_views import ListView, NewView, PersonView

urlpatterns = [
    path("", ListView.as_view(), name="visits-list"),
    path("<int:pk>/", PersonView.as_view(), name="visits-person"),
    path("<int:pk>/new/", NewView.as_view(), name="visits-new"),
]
