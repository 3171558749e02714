"""Desktop pages of party building (/party/): the organisation tree, an organisation's page
(posts, terms, members, check-ins) and its forms (edit, 换届, posts, check-in), through
``actions`` (every write audited; out of scope is 404). Members and transfers:
``member_views``; the routes: ``urls``."""


from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from gridgov.core.views import PermissionRequiredMixin, error_text

from . import actions
from .choices import MemberStatus, PostKind, TransferStatus
from .forms import (
    OrgCheckInForm,
    OrgForm,
    PostForm,
    TermForm,
)
from .models import PartyMember, PartyOrganisation, PartyPost, PartyTerm, PartyTransfer
from .permissions import MANAGE, VIEW
from .sections import ANY_SECTION, sections_for

PAGE_SIZE = 50
DUE_DAYS = actions.TERM_REMINDER_DAYS
OPEN_TREE_SIZE = 60
DUE_SHOWN = 10  # the 换届 list above the tree; the tree flags every one


def term_flag(org, today):
    """'overdue' | 'due' (within 90 days) | '' for an organisation's term end."""
    days = org.term_due_in(today)
    if days is None:
        return ""
    if days < 0:
        return "overdue"
    return "due" if days <= DUE_DAYS else ""


def visible_orgs(user, *, active=True):
    qs = PartyOrganisation.objects.restrict(user, "view")
    return qs.filter(is_active=True) if active else qs


def descendants(user, org_id) -> set[int]:
    """The ids of an organisation and every organisation below it (one query)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in visible_orgs(user, active=False).values_list("id", "parent_id"):
        children.setdefault(parent, []).append(pk)
    out, todo = set(), [org_id]
    while todo:
        pk = todo.pop()
        if pk in out:
            continue
        out.add(pk)
        todo.extend(children.get(pk, ()))
    return out


def secretaries(user) -> dict[int, str]:
    """The current 书记 of each organisation the user sees: {org id: name}."""
    return dict(PartyPost.objects.restrict(user, "view")
                .filter(post=PostKind.SECRETARY, ended_on__isnull=True)
                .values_list("organisation_id", "member__person__name"))


def _apply_errors(form, exc):
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error_text(exc))


class TreeView(PermissionRequiredMixin, View):
    """党组织: the tree of the organisations in the user's areas, each with its secretary,
    member count and term end (换届 due within 90 days or overdue flagged)."""

    permission = ANY_SECTION

    def get(self, request):
        if not self.scope.can(VIEW):
            # The 党建 entry of a member or a grid worker: their first section.
            return redirect(sections_for(self.scope)[0]["url"])
        today = timezone.localdate()
        orgs = list(visible_orgs(request.user)
                    .annotate(member_count=Count("members",
                                                 filter=Q(members__status=MemberStatus.ACTIVE)))
                    .order_by("area_code", "kind", "name", "pk"))
        names = secretaries(request.user)
        by_id = {o.pk: o for o in orgs}
        roots = []
        for org in orgs:
            org.secretary_name = names.get(org.pk, "")
            org.flag = term_flag(org, today)
            org.nodes = []
        for org in orgs:
            parent = by_id.get(org.parent_id)
            (parent.nodes if parent is not None else roots).append(org)
        def total(org):
            org.total_members = org.member_count + sum(total(c) for c in org.nodes)
            return org.total_members

        for root in roots:
            total(root)
        # A small tree opens whole; a large one (a street or the district) opens its top
        # level only, the rest one click away (<details>, no script).
        for org in orgs:
            org.open = len(orgs) <= OPEN_TREE_SIZE or (org in roots and len(roots) <= 3)
        due = sorted((o for o in orgs if o.flag), key=lambda o: o.term_ends_on)
        return render(request, "party/tree.html", {
            "roots": roots, "due": due[:DUE_SHOWN], "due_more": max(len(due) - DUE_SHOWN, 0),
            "due_total": len(due), "count": len(orgs), "today": today,
            "can_manage": self.scope.can(MANAGE)})


class OrgDetailView(PermissionRequiredMixin, View):
    """One organisation: its place in the tree, committee (posts with terms), term history,
    members (paginated), in-service members checked in here, pending transfers."""

    permission = VIEW

    def get(self, request, pk):
        org = get_object_or_404(visible_orgs(request.user, active=False)
                                .select_related("parent", "area"), pk=pk)
        today = timezone.localdate()
        org.flag = term_flag(org, today)
        posts = list(PartyPost.objects.restrict(request.user, "view").filter(organisation=org)
                     .select_related("member__person").order_by("ended_on", "post", "pk"))
        members = Paginator(
            PartyMember.objects.restrict(request.user, "view")
            .filter(organisation=org, status=MemberStatus.ACTIVE)
            .select_related("person", "checked_in_to").order_by("person__name", "pk"),
            PAGE_SIZE).get_page(request.GET.get("page"))
        checked_in = list(PartyMember.objects.restrict(request.user, "view")
                          .filter(checked_in_to=org, status=MemberStatus.ACTIVE)
                          .select_related("person", "organisation").order_by("person__name"))
        transfers = list(PartyTransfer.objects.restrict(request.user, "view")
                         .filter(Q(from_organisation=org) | Q(to_organisation=org),
                                 status=TransferStatus.PENDING)
                         .select_related("member__person", "from_organisation",
                                         "to_organisation"))
        return render(request, "party/org.html", {
            "org": org, "today": today,
            "children": visible_orgs(request.user).filter(parent=org).order_by("name"),
            "current_posts": [p for p in posts if p.ended_on is None],
            "past_posts": [p for p in posts if p.ended_on is not None],
            "terms": PartyTerm.objects.restrict(request.user, "view").filter(organisation=org),
            "members": members, "checked_in": checked_in, "transfers": transfers,
            "can_manage": self.scope.covers(org.area_code, MANAGE)})


class OrgEditView(PermissionRequiredMixin, View):
    """Create or edit an organisation (``actions.save_organisation``)."""

    permission = MANAGE

    def org(self, pk):
        if pk is None:
            return None
        return get_object_or_404(PartyOrganisation.objects.restrict(self.request.user, "change"),
                                 pk=pk)

    def choices(self, org):
        from gridgov.areas.models import Area

        parents = PartyOrganisation.objects.restrict(self.request.user, "change").filter(
            is_active=True).exclude(kind="group")
        if org is not None:
            parents = parents.exclude(pk__in=descendants(self.request.user, org.pk))
        areas = (Area.objects.current().filter(level__in=("street", "community", "grid"))
                 .filter(self.scope.area_q("code", MANAGE)).order_by("code")
                 .only("pk", "name", "level", "code")[:2000])
        parents = list(parents.order_by("area_code", "name"))
        if org is not None and org.parent_id and org.parent_id not in {p.pk for p in parents}:
            parents.insert(0, org.parent)  # its current parent may lie above the user's areas
        return {"parents": parents, "areas": list(areas)}

    def show(self, request, org, form, status=200):
        return render(request, "party/org_form.html", {"org": org, "form": form},
                      status=status)

    def get(self, request, pk=None):
        org = self.org(pk)
        initial = {"is_active": True}
        if org is not None:
            initial = {"name": org.name, "kind": org.kind, "parent": org.parent_id,
                       "area": org.area_id, "is_active": org.is_active,
                       "expected_version": org.version}
        elif request.GET.get("parent", "").isdigit():
            initial["parent"] = int(request.GET["parent"])
        return self.show(request, org, OrgForm(initial=initial, **self.choices(org)))

    def post(self, request, pk=None):
        from gridgov.areas.models import Area

        org = self.org(pk)
        form = OrgForm(request.POST, **self.choices(org))
        if form.is_valid():
            data = form.cleaned_data
            if org is not None and data["parent"] and data["parent"] == org.parent_id:
                parent = org.parent
            else:
                parent = (PartyOrganisation.objects.restrict(request.user, "change")
                          .filter(pk=data["parent"]).first() if data["parent"] else None)
            try:
                saved = actions.save_organisation(
                    org, name=data["name"], kind=data["kind"],
                    area=Area.objects.get(pk=data["area"]), parent=parent,
                    is_active=data["is_active"], expected_version=data["expected_version"],
                    actor=request.user)
            except (ValidationError, PermissionDenied, actions.StaleVersion) as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("党组织已保存。"))
                return redirect("party:org", saved.pk)
        return self.show(request, org, form, status=400)


class _OrgFormView(PermissionRequiredMixin, View):
    """A form on one organisation the user manages (term, post, check-in)."""

    permission = MANAGE
    form_class = None
    title = ""

    def get_org(self, pk):
        return get_object_or_404(PartyOrganisation.objects.restrict(self.request.user, "change"),
                                 pk=pk)

    def form_kwargs(self, org):
        return {}

    def initial(self, org):
        return {}

    def show(self, request, org, form, status=200):
        return render(request, "party/form.html", {
            "title": self.title, "subject": org.name, "form": form,
            "back": reverse("party:org", args=[org.pk])}, status=status)

    def get(self, request, pk):
        org = self.get_org(pk)
        return self.show(request, org, self.form_class(initial=self.initial(org),
                                                       **self.form_kwargs(org)))

    def post(self, request, pk):
        org = self.get_org(pk)
        form = self.form_class(request.POST, **self.form_kwargs(org))
        if form.is_valid():
            try:
                self.act(org, form.cleaned_data)
            except (ValidationError, PermissionDenied, actions.StaleVersion, Http404) as exc:
                if isinstance(exc, Http404):
                    exc = ValidationError({"id_number": _("没有找到这个在职党员。")})
                _apply_errors(form, exc)
            else:
                messages.success(request, self.done)
                return redirect("party:org", org.pk)
        return self.show(request, org, form, status=400)


class TermView(_OrgFormView):
    """换届: record the new term (``actions.set_term``)."""

    form_class = TermForm
    title = _("换届")
    done = _("换届已记录。")

    def initial(self, org):
        start = timezone.localdate()
        return {"started_on": start, "ends_on": actions.add_years(start, 5),
                "expected_version": org.version}

    def act(self, org, data):
        actions.set_term(org, started_on=data["started_on"], ends_on=data["ends_on"],
                         note=data["note"], expected_version=data["expected_version"],
                         actor=self.request.user)


class PostNewView(_OrgFormView):
    """Appoint a member to a post of the organisation (``actions.appoint``)."""

    form_class = PostForm
    title = _("任命职务")
    done = _("职务已任命。")

    def members(self, org):
        ids = descendants(self.request.user, org.pk)
        return (PartyMember.objects.restrict(self.request.user, "change")
                .filter(organisation_id__in=ids, status=MemberStatus.ACTIVE)
                .select_related("person", "organisation").order_by("person__name")[:1000])

    def form_kwargs(self, org):
        return {"members": self.members(org)}

    def initial(self, org):
        return {"started_on": timezone.localdate()}

    def act(self, org, data):
        member = get_object_or_404(PartyMember.objects.restrict(self.request.user, "change"),
                                   pk=data["member"])
        actions.appoint(org, member=member, post=data["post"], started_on=data["started_on"],
                        actor=self.request.user)


class OrgCheckInView(_OrgFormView):
    """双报到 at the community organisation: an in-service member found by ID number (an
    exact match only; members of other areas are never listed)."""

    form_class = OrgCheckInForm
    title = _("在职党员报到登记")
    done = _("报到已登记。")

    def initial(self, org):
        return {"on": timezone.localdate()}

    def act(self, org, data):
        from gridgov.basedata.models import Person

        person_ids = Person.objects.by_id_number(data["id_number"].strip().upper()).values("pk")
        member = PartyMember.objects.filter(person_id__in=person_ids,
                                            status=MemberStatus.ACTIVE).first()
        if member is None:
            raise ValidationError({"id_number": _("没有找到这个在职党员。")})
        actions.check_in(member, organisation=org, on=data["on"], actor=self.request.user)


class PostEndView(PermissionRequiredMixin, View):
    permission = MANAGE

    def post(self, request, pk):
        post = get_object_or_404(PartyPost.objects.restrict(request.user, "change"), pk=pk)
        try:
            actions.end_post(post, actor=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("已免去该职务。"))
        return redirect("party:org", post.organisation_id)
