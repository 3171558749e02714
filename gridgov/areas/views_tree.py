"""The area picker's data: the areas a person may see, as options and as a tree by name.

``area_options(user)`` feeds the plain ``<select>`` (works without JavaScript): streets and
communities always, grids too when the person's areas hold few of them. ``AreaTreeView``
answers the enhanced picker (``gridgov/js/pickers.js``) one level at a time
(``?parent=<code>``) or by name (``?q=``), always through ``Area.objects.restrict()``, so a
person never sees an area outside their scope.
"""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import View

from gridgov.core.api import json_errors
from gridgov.core.views import PermissionRequiredMixin

from .models import Area

# Above this many options the select leaves the grids out (the tree still reaches them).
SELECT_LIMIT = 400
SEARCH_LIMIT = 30
INDENT = "\u3000"  # ideographic space: one step of depth in a plain select


def _visible(user):
    return Area.objects.restrict(user, "view").current()


def _depth(code: str) -> int:
    return {6: 0, 9: 1, 12: 2, 15: 3}.get(len(code), 0)


def area_options(user) -> list[tuple[str, str]]:
    """``[(code, indented name)]`` of the areas ``user`` sees, in tree order (one query)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    rows = list(_visible(user).order_by("code").values_list("code", "name"))
    if len(rows) > SELECT_LIMIT:
        rows = [(code, name) for code, name in rows if len(code) < 15]
    top = min((_depth(code) for code, _name in rows), default=0)
    return [(code, INDENT * (_depth(code) - top) + name) for code, name in rows]


def area_name(user, code: str) -> str | None:
    """The name of an area ``user`` sees (None outside their scope or unknown)."""
    return _visible(user).filter(code=code).values_list("name", flat=True).first()


def _node(area, parents=None) -> dict:
    return {"code": area["code"], "name": area["name"], "level": area["level"],
            "leaf": len(area["code"]) >= 15,
            "path": parents.get(area["code"], "") if parents else ""}


class AreaTreeJSONView(PermissionRequiredMixin, View):
    """Children of ``parent`` (the top visible areas when none) or areas named like ``q``."""

    permission = "areas.view"
    http_method_names = ["get"]

    def get(self, request):
        visible = _visible(request.user).values("code", "name", "level")
        query = request.GET.get("q", "").strip()
        parent = request.GET.get("parent", "").strip()
        if query:
            found = list(visible.filter(name__icontains=query[:50])
                         .order_by("code")[:SEARCH_LIMIT])
            return JsonResponse({"results": [_node(a, _paths(request.user, found))
                                             for a in found]})
        if parent and not parent.isdigit():
            return json_errors({"parent": [_("区域编码应为数字。")]})
        if parent:
            rows = visible.filter(parent__code=parent).order_by("code")
        else:
            rows = _top(visible)
        return JsonResponse({"results": [_node(a) for a in rows]})


def _top(visible) -> list:
    """The highest areas the person sees (the district for most; a street, a community...)."""
    rows = list(visible.order_by("code")[:2000])
    shortest = min((len(a["code"]) for a in rows), default=0)
    return [a for a in rows if len(a["code"]) == shortest]


def _paths(user, found) -> dict:
    """``{code: "街道 / 社区"}``: the names above each search hit, so two grids of the same
    name in different communities can be told apart (one query)."""
    above = {a["code"][:n] for a in found for n in (9, 12) if n < len(a["code"])}
    names = dict(_visible(user).filter(code__in=above).values_list("code", "name"))
    return {a["code"]: " / ".join(names[a["code"][:n]] for n in (9, 12)
                                  if n < len(a["code"]) and a["code"][:n] in names)
            for a in found}

