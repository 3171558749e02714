"""Desktop pages of the party app (/party/)."""

from django.urls import path

from . import member_views as m
from . import views as v

app_name = "party"
urlpatterns = [
    path("", v.TreeView.as_view(), name="tree"),
    path("orgs/new/", v.OrgEditView.as_view(), name="org_new"),
    path("orgs/<int:pk>/", v.OrgDetailView.as_view(), name="org"),
    path("orgs/<int:pk>/edit/", v.OrgEditView.as_view(), name="org_edit"),
    path("orgs/<int:pk>/term/", v.TermView.as_view(), name="org_term"),
    path("orgs/<int:pk>/posts/new/", v.PostNewView.as_view(), name="post_new"),
    path("orgs/<int:pk>/check-in/", v.OrgCheckInView.as_view(), name="org_checkin"),
    path("posts/<int:pk>/end/", v.PostEndView.as_view(), name="post_end"),
    path("members/", m.MemberListView.as_view(), name="members"),
    path("members/new/", m.MemberAddView.as_view(), name="member_new"),
    path("members/<int:pk>/", m.MemberDetailView.as_view(), name="member"),
    path("members/<int:pk>/edit/", m.MemberEditView.as_view(), name="member_edit"),
    path("members/<int:pk>/status/", m.MemberStatusView.as_view(), name="member_status"),
    path("members/<int:pk>/transfer/", m.TransferView.as_view(), name="member_transfer"),
    path("members/<int:pk>/check-in/", m.MemberCheckInView.as_view(), name="member_checkin"),
    path("members/<int:pk>/check-out/", m.MemberCheckOutView.as_view(), name="member_checkout"),
    path("transfers/", m.TransferListView.as_view(), name="transfers"),
    path("transfers/<int:pk>/<str:verb>/", m.TransferDecideView.as_view(),
         name="transfer_decide"),
]
