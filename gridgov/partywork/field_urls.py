"""Screens of the partywork app in the field terminal (/m/party/, names in ``field``)."""

from django.urls import path

from .field_views import ContactsView, ContactView

urlpatterns = [
    path("contacts/", ContactsView.as_view(), name="party-contacts"),
    path("contacts/<int:pk>/", ContactView.as_view(), name="party-contact"),
]
