"""Template context for the page shell: who is signed in, their menu, and the map settings."""

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject

from gridgov.accounts.scope import role_names

from .menus import build_menu


def _logout_url() -> str:
    try:
        return reverse("accounts:logout")
    except NoReverseMatch:
        return "/accounts/logout/"


def role_labels(scope) -> list[str]:
    """The principal's roles by name, in the role table's order."""
    if scope is None:
        return []
    return list(role_names(scope.roles).values())


def area_label(scope) -> str:
    """The names of the areas the principal holds roles in (one query, only when shown)."""
    from gridgov.areas.models import Area

    if scope is None or not scope.area_codes:
        return ""
    names = Area.objects.filter(code__in=scope.area_codes).order_by("code")
    return "、".join(names.values_list("name", flat=True))


def shell(request):
    from gridgov.core.access import get_scope

    user = getattr(request, "user", None)
    scope = get_scope(user) if user is not None else None
    return {
        "gg_scope": scope,
        "gg_role_labels": role_labels(scope),
        # Lazy: the area names cost one query and only pages with a signed-in user show them.
        "gg_area_label": SimpleLazyObject(lambda: area_label(scope)),
        "gg_nav": SimpleLazyObject(lambda: build_menu(scope, request.path)),
        "gg_logout_url": _logout_url(),
        "gg_tile_url": settings.GRIDGOV_TILE_URL,
        "gg_tile_attribution": settings.GRIDGOV_TILE_ATTRIBUTION,
        "gg_tile_crs": settings.GRIDGOV_TILE_CRS,
    }
