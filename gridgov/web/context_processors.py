"""Template context for the page shell: the user's scope and the map settings."""

from django.conf import settings


def shell(request):
    from gridgov.accounts.scope import get_scope

    user = getattr(request, "user", None)
    scope = get_scope(user) if user is not None else None
    return {
        "gg_scope": scope,
        "gg_roles": sorted(scope.roles) if scope else [],
        "gg_tile_url": settings.GRIDGOV_TILE_URL,
        "gg_tile_attribution": settings.GRIDGOV_TILE_ATTRIBUTION,
        "gg_tile_crs": settings.GRIDGOV_TILE_CRS,
    }
