"""The page shell's own pages: the home page, the grid map, the design examples, favicon."""

from django.urls import path

from . import views

app_name = "web"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("map/", views.MapView.as_view(), name="map"),
    path("ui/", views.DesignExamplesView.as_view(), name="ui"),
    # Browsers ask for /favicon.ico whatever the page's <link rel="icon"> says.
    path("favicon.ico", views.FaviconView.as_view(), name="favicon"),
]
