"""The sections of party building (党建) and who may open each.

Party building spans three apps (the organisations and members here, 三会一课 in
``party_meetings``, households and volunteering in ``partywork``); one menu entry (党建) leads
to them and one bar of links (``{% party_sections %}``) moves between them, showing only the
sections the person may open. A member with an account reaches their households and
volunteering; a secretary everything of their areas.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Section:
    """One section: its key, label, page and the permissions that open it (any of them)."""

    key: str
    label: str
    url_name: str
    permissions: tuple


SECTIONS = (
    Section("tree", _("党组织"), "party:tree", ("party.view",)),
    Section("members", _("党员"), "party:members", ("party.view",)),
    Section("transfers", _("组织关系转接"), "party:transfers", ("party.view",)),
    Section("meetings", _("三会一课"), "party_meetings:list",
            ("party_meetings.view", "party_meetings.sign_in")),
    Section("work", _("党员联系户"), "partywork:work", ("partywork.view", "partywork.contact")),
    Section("activities", _("志愿服务"), "partywork:activities",
            ("partywork.view", "partywork.volunteer")),
)
# Whoever holds one of these sees the 党建 menu entry.
ANY_SECTION = tuple(dict.fromkeys(p for s in SECTIONS for p in s.permissions))


def sections_for(scope) -> list[dict]:
    """The sections the principal may open, in order: ``key``, ``label``, ``url``."""
    if scope is None:
        return []
    return [{"key": s.key, "label": s.label, "url": reverse(s.url_name)}
            for s in SECTIONS if scope.can(*s.permissions)]
