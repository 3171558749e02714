"""The 三会一课 app's place in the page shell: the requirement editor's entry for the
administrator. The meetings themselves are a section of 党建 (``gridgov.party.sections``)."""

from django.utils.translation import gettext_lazy

from gridgov.web import menus

from .permissions import MANAGE_REQUIREMENTS


def register():
    menus.register(menus.MenuItem("party_meetings_requirements", gettext_lazy("三会一课频次"),
                                  ("party_meetings:requirements",),
                                  permission=MANAGE_REQUIREMENTS, order=51))
