"""The partywork app's place in the page shell (its pages are sections of 党建, see
``gridgov.party.sections``): the secretaries' waiting work (links without a contact in 90
days), and the field terminal's home section (我的联系户 · 待联系, order 45) for a member
who logs contacts."""

from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _

from gridgov.web import worklist

from .permissions import CONTACT, MANAGE

HOME_ITEMS = 3


def today_section(request):
    """我的联系户 N · 待联系 M (three queries)."""
    from gridgov.core.access import get_scope
    from gridgov.field.today import TodayItem, TodaySection

    from .field_views import own_links
    from .households import due_links

    scope = get_scope(request.user)
    if scope is None or not scope.can(CONTACT):
        return None
    url = reverse("field:party-contacts")
    links = own_links(request.user)
    total = links.count()
    if not total:
        return None
    due = due_links(links)
    items = [TodayItem(title=link.household_head.name,
                       subtitle=link.household_head.address,
                       url=reverse("field:party-contact", args=[link.pk]),
                       badge=_("待联系"), overdue=True) for link in due[:HOME_ITEMS]]
    return TodaySection(key="partywork", title=_("我的联系户"), count=total, url=url,
                        items=items, overdue=due.count() if items else 0)


def due_contacts(user, scope):
    """Households of the secretary's areas whose member has not been in touch for 90 days
    (two queries)."""
    from .households import DUE_DAYS, due_links
    from .models import ContactLink

    qs = due_links(ContactLink.objects.restrict(user, "change")
                   .filter(scope.area_q("area_code", MANAGE)))
    count = qs.count()
    if not count:
        return
    samples = [f"{x.household_head.name} · {x.member.person.name}" for x in
               qs.select_related("household_head", "member__person")
               # Never contacted first, on every database (PostgreSQL sorts NULL last).
               .order_by(F("last_contact_at").asc(nulls_first=True), "pk")[:5]]
    yield worklist.WorkItem(key="partywork.due",
                            title=_("超过 %(n)d 天未联系的联系户") % {"n": DUE_DAYS},
                            count=count, url=reverse("partywork:work") + "?tab=due",
                            samples=samples)


def register():
    from gridgov.field import today

    worklist.register("partywork.due", permission=MANAGE, order=45)(due_contacts)
    today.register("partywork", order=45)(today_section)
