"""What the partywork pages share: the areas of the filters, the members one may choose,
form errors from an action's ``ValidationError``."""

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from ..permissions import VIEW

PAGE_SIZE = 50
CODE_LENGTHS = (6, 9, 12, 15)


def work_areas(scope, perm=VIEW):
    """The communities and grids inside the principal's areas (for the area filter)."""
    from gridgov.areas.models import Area

    if not scope.codes_for(perm):
        return []
    return list(Area.objects.filter(level__in=("community", "grid"))
                .filter(scope.area_q("code", perm)).order_by("code")
                .only("code", "name", "level")[:500])


def with_labels(members):
    for m in members:
        n = getattr(m, "n_links", None)
        if n is None:
            m.label = _("%(name)s(%(org)s)") % {"name": m.person.name,
                                                 "org": m.organisation.name}
        else:
            m.label = _("%(name)s(%(org)s,已联系 %(n)d 户)") % {
                "name": m.person.name, "org": m.organisation.name, "n": n}
    return members


def members_for_household(user, head):
    """Active members visible to the user who may link the household: of an organisation
    whose area contains it, checked in to one, or living in its grid."""
    from gridgov.party.models import PartyMember

    prefixes = [head.area_code[:n] for n in CODE_LENGTHS if n <= len(head.area_code)]
    qs = (PartyMember.objects.restrict(user).filter(status="active")
          .filter(Q(area_code__in=prefixes) | Q(checked_in_to__area_code__in=prefixes)
                  | Q(person__area_code=head.area_code))
          .exclude(person_id=head.pk)
          .select_related("person", "organisation")
          .annotate(n_links=Count("contact_links", filter=Q(contact_links__is_active=True)))
          .order_by("organisation__area_code", "person__name", "pk"))
    return with_labels(list(qs[:300]))


def own_member(user):
    """The user's own active membership, if their account is a member's."""
    from gridgov.party.models import PartyMember

    return (PartyMember.objects.filter(user_id=user.pk, status="active")
            .select_related("person", "organisation").first())


def add_errors(form, exc):
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)
