"""Data migration: the required frequency of each kind of meeting (issue 14, item 3).

支部党员大会 every 3 months, 支委会 monthly, 党课 every 3 months, 主题党日 monthly for the
党支部 and the 党总支 (which holds the same meetings of its direct members); 党小组会 monthly
for the 党小组. A 社区党委 or 街道党工委 has none by default (its 党委会 is not one of these). Defaults only (``organisation`` empty); the administrator
edits them and adds an organisation's own frequency on 三会一课频次要求.
"""

from django.db import migrations

BRANCH_LIKE = ("branch", "general_branch")
DEFAULTS = [
    # org kinds, meeting kind, every N months, note
    (BRANCH_LIKE, "branch_assembly", 3, "每季度一次"),
    (BRANCH_LIKE, "committee_meeting", 1, "每月一次"),
    (BRANCH_LIKE, "party_lecture", 3, "每季度一次"),
    (BRANCH_LIKE, "theme_day", 1, "每月一次"),
    (("group",), "group_meeting", 1, "每月一次"),
]


def add_defaults(apps, schema_editor):
    Requirement = apps.get_model("party_meetings", "MeetingRequirement")
    for org_kinds, kind, months, note in DEFAULTS:
        for org_kind in org_kinds:
            Requirement.objects.get_or_create(
                kind=kind, org_kind=org_kind, organisation=None,
                defaults={"every_months": months, "note": note})


def remove_defaults(apps, schema_editor):
    Requirement = apps.get_model("party_meetings", "MeetingRequirement")
    Requirement.objects.filter(organisation__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("party_meetings", "0001_initial")]
    operations = [migrations.RunPython(add_defaults, remove_defaults)]
