"""``{% party_sections "meetings" %}``: the bar of party-building sections the person may open
(``gridgov.party.sections``), the current one marked."""

from django import template

from gridgov.core.access import get_scope

from ..sections import sections_for

register = template.Library()


@register.inclusion_tag("party/_sections.html", takes_context=True)
def party_sections(context, current=""):
    request = context.get("request")
    user = getattr(request, "user", None)
    scope = get_scope(user) if user is not None and user.is_authenticated else None
    return {"sections": sections_for(scope), "current": current}
