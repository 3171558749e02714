from django.urls import path

from . import edit_views, views

app_name = "basedata"

urlpatterns = [
    path("people/", views.PersonListView.as_view(), name="people"),
    path("people/<int:pk>/", views.PersonDetailView.as_view(), name="person"),
    path("people/<int:pk>/reveal/", views.PersonRevealView.as_view(), name="person-reveal"),
    path("people/<int:pk>/edit/", edit_views.PersonEditView.as_view(), name="person-edit"),
    path("people/<int:pk>/phone/", edit_views.PersonPhoneView.as_view(), name="person-phone"),
    path("people/<int:pk>/move-in/", edit_views.PersonMoveInView.as_view(),
         name="person-move-in"),
    path("people/<int:pk>/move-out/", edit_views.PersonMoveOutView.as_view(),
         name="person-move-out"),
    path("people/<int:pk>/death/", edit_views.PersonDeathView.as_view(), name="person-death"),
    path("people/<int:pk>/household/", edit_views.PersonHouseholdView.as_view(),
         name="person-household"),
    path("houses/<int:pk>/edit/", edit_views.HouseEditView.as_view(), name="house-edit"),
    path("organisations/<int:pk>/edit/", edit_views.OrganisationEditView.as_view(),
         name="organisation-edit"),
    path("families/add/", views.FamilyAddView.as_view(), name="family-add"),
    path("merge/", views.MergeView.as_view(), name="merge"),
    path("buildings/", views.BuildingListView.as_view(), name="buildings"),
    path("buildings/<int:pk>/", views.BuildingDetailView.as_view(), name="building"),
    path("houses/", views.HouseListView.as_view(), name="houses"),
    path("houses/<int:pk>/", views.HouseDetailView.as_view(), name="house"),
    path("organisations/", views.OrganisationListView.as_view(), name="organisations"),
    path("organisations/<int:pk>/", views.OrganisationDetailView.as_view(),
         name="organisation"),
    path("components/", views.ComponentListView.as_view(), name="components"),
    path("components/<int:pk>/", views.ComponentDetailView.as_view(), name="component"),
    path("import/", views.ImportView.as_view(), name="import"),
    path("import/<int:pk>/", views.ImportResultView.as_view(), name="import-result"),
    path("import/<int:pk>/report.csv", views.ImportReportView.as_view(), name="import-report"),
    path("import/template/<str:kind>.csv", views.ImportTemplateView.as_view(),
         name="import-template"),
    path("export/<str:kind>.<str:fmt>", views.ExportView.as_view(), name="export"),
]
