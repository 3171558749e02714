"""Area levels and kinds (REFERENCE §2–3)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    DISTRICT = "district", _("区县")
    STREET = "street", _("街道(乡镇)")
    COMMUNITY = "community", _("社区(村)")
    GRID = "grid", _("网格")


class Kind(models.TextChoices):
    DISTRICT = "district", _("区")
    STREET = "street", _("街道")
    TOWN = "town", _("镇")
    TOWNSHIP = "township", _("乡")
    COMMUNITY = "community", _("社区")
    VILLAGE = "village", _("行政村")
    BASIC_GRID = "basic", _("基础网格")
    DEDICATED_GRID = "dedicated", _("专属网格")


# Code length of each level: county 6 + street 3 + community 3 + grid sequence 3 (CJ/T 213).
CODE_LENGTH = {
    Level.DISTRICT: 6,
    Level.STREET: 9,
    Level.COMMUNITY: 12,
    Level.GRID: 15,
}
PARENT_LEVEL = {
    Level.STREET: Level.DISTRICT,
    Level.COMMUNITY: Level.STREET,
    Level.GRID: Level.COMMUNITY,
}
KINDS_BY_LEVEL = {
    Level.DISTRICT: {Kind.DISTRICT},
    Level.STREET: {Kind.STREET, Kind.TOWN, Kind.TOWNSHIP},
    Level.COMMUNITY: {Kind.COMMUNITY, Kind.VILLAGE},
    Level.GRID: {Kind.BASIC_GRID, Kind.DEDICATED_GRID},
}
