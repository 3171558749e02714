"""A party member in grid work (/party/work/members/<id>/): linked households, contacts,
volunteer hours per year, tasks assigned to the member's account and events it reported."""

from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views import View

from gridgov.core.views import PermissionRequiredMixin

from ..households import due_links
from ..models import ContactLink, ContactLog, VolunteerSignup
from ..permissions import CONTACT, VIEW, VOLUNTEER
from ..queries import hours_by_year, member_work

RECENT = 10


def visible_member(user, pk):
    """A member the user may see (``party.view`` in the member's areas), or the user's own
    membership; 404 otherwise."""
    from gridgov.party.models import PartyMember

    visible = PartyMember.objects.restrict(user).values("pk")
    return get_object_or_404(
        PartyMember.objects.filter(Q(pk__in=visible) | Q(user_id=user.pk))
        .select_related("person", "organisation", "checked_in_to", "user"), pk=pk)


class MemberView(PermissionRequiredMixin, View):
    permission = (VIEW, CONTACT, VOLUNTEER)

    def get(self, request, pk):
        from gridgov.tasks.models import Task

        member = visible_member(request.user, pk)
        links = list(ContactLink.objects.filter(member=member).select_related("household_head")
                     .order_by("-is_active", "-since", "pk"))
        due = set(due_links(ContactLink.objects.filter(member=member))
                  .values_list("pk", flat=True))
        for link in links:
            link.due = link.pk in due
        contacts = list(ContactLog.objects.filter(link__member=member)
                        .select_related("link__household_head")[:RECENT])
        signups = list(VolunteerSignup.objects.filter(member=member)
                       .select_related("activity").order_by("-activity__starts_at")[:RECENT])
        tasks = []
        if member.user_id:
            tasks = list(Task.objects.filter(assignee_id=member.user_id)
                         .order_by("-assigned_at")[:RECENT])
        can_assign = bool(member.user_id) and self.scope.can("tasks.assign")
        return render(request, "partywork/member.html", {
            "member": member, "work": member_work(member), "links": links,
            "contacts": contacts, "signups": signups, "hours": hours_by_year(member),
            "tasks": tasks, "can_assign": can_assign, "today": timezone.localdate()})
