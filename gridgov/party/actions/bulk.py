"""The bulk load of a tree (the system only: a migration, the demo)."""


from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.audit.recorder import record

from ..models import PartyMember, PartyOrganisation, PartyPost, PartyTerm

# --- demo / import -----------------------------------------------------------------------------


def import_tree(orgs, members, *, posts=(), actor=None) -> dict:
    """Load an organisation tree, its members and posts in bulk (the system only: a
    migration from an earlier system, the demo). ``orgs``: unsaved PartyOrganisation
    instances whose ``parent`` is another of them (or None); ``members``: unsaved
    PartyMember instances; ``posts``: unsaved PartyPost instances. Each organisation with a
    term gets its PartyTerm row. One audit record for the batch."""
    if actor is not None:
        raise PermissionDenied(_("只有系统导入可以批量导入党组织。"))
    now = timezone.now()
    with transaction.atomic():
        # Parents first: one bulk insert per depth, so children get their parents' ids.
        by_depth: dict[int, list] = {}
        for org in orgs:
            org.area_code, org.updated_at = org.area.code, now
            depth, up = 0, org.parent
            while up is not None and depth < 10:
                depth, up = depth + 1, up.parent
            by_depth.setdefault(depth, []).append(org)
        for depth in sorted(by_depth):
            rows = by_depth[depth]
            for org in rows:
                org.parent_id = org.parent.pk if org.parent is not None else None
            PartyOrganisation.objects.bulk_create(rows, batch_size=500)
        PartyTerm.objects.bulk_create(
            [PartyTerm(organisation=o, area_code=o.area_code, started_on=o.term_started_on,
                       ends_on=o.term_ends_on, recorded_at=now)
             for o in orgs if o.term_started_on and o.term_ends_on], batch_size=500)
        for m in members:
            m.organisation_id = m.organisation.pk
            m.area_code = m.organisation.area_code
            m.checked_in_to_id = m.checked_in_to.pk if m.checked_in_to is not None else None
            m.created_at = m.updated_at = now
        PartyMember.objects.bulk_create(members, batch_size=500)
        for p in posts:
            p.organisation_id, p.member_id = p.organisation.pk, p.member.pk
            p.area_code, p.updated_at = p.organisation.area_code, now
        PartyPost.objects.bulk_create(posts, batch_size=500)
        counts = {"organisations": len(orgs), "members": len(members), "posts": len(posts)}
        record("party.import", actor=None, object_type="party.partyorganisation",
               object_id="import", object_repr=_("党组织与党员"), after=counts)
    return counts
