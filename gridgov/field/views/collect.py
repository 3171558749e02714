"""Field terminal: 采集 — the people, houses and organisations of the worker's grid(s).

Every page is a GET rendered by the server (so the service worker can keep a copy for
offline use); reads go through ``restrict()`` (outside scope: 404), lists use the basic
data's FilterSets (a search never matches a plain personal value: an ID number or a phone is
looked up by its keyed hash inside the scoped queryset), and personal values are shown
masked. Every change is a ``data-outbox`` form posting to the basic-data API
(``/api/v1/basedata/…``) with ``expected_version``; nothing is written here.
"""

import datetime as dt

from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from gridgov.areas.models import Area
from gridgov.audit.labels import action_label
from gridgov.basedata import access
from gridgov.basedata.choices import (
    HouseUse,
    OrgType,
    PersonStatus,
    RegistrationType,
    Relation,
    RentalStatus,
    Sex,
    TagKind,
)
from gridgov.basedata.filtersets import HouseFilterSet, OrganisationFilterSet, PersonFilterSet
from gridgov.basedata.models import ChangeRecord, House, Organisation, Person, Tag
from gridgov.basedata.permissions import CHANGE, VIEW_OBJECTS, VIEW_PEOPLE
from gridgov.core.access import require
from gridgov.field.auth import FieldLoginRequiredMixin

PAGE_SIZE = 20
KINDS = {"people": gettext_lazy("人口"), "houses": gettext_lazy("房屋"),
         "organisations": gettext_lazy("单位")}
STATUS_BADGE = {PersonStatus.RESIDING: "", PersonStatus.MOVED_OUT: "m-badge--warn",
                PersonStatus.DECEASED: "m-badge--danger"}


def api_url(name: str, *args) -> str:
    """A basic-data API route under /api/v1/ (the router's names: ``basedata-person-list``,
    ``basedata-house-detail`` …)."""
    return reverse(f"basedata-{name}", args=args)


def house_label(house) -> str:
    return str(house) if house else ""


class _Page(FieldLoginRequiredMixin, TemplateView):
    """A 采集 screen: signed in (the field terminal's sign-in), holding ``permission``."""

    permission: str | tuple = VIEW_PEOPLE

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            perms = (self.permission,) if isinstance(self.permission, str) else self.permission
            self.scope = require(request.user, *perms)
        return super().dispatch(request, *args, **kwargs)

    def may_change(self, obj) -> bool:
        return self.scope.covers(obj.area_code, CHANGE)

    def change_grids(self):
        """The grids where the worker may collect (for a record without a house)."""
        return list(Area.objects.filter(level="grid").filter(
            self.scope.area_q("code", CHANGE)).order_by("code").only("code", "name")[:200])

    def house_picker(self, *, link):
        """Houses the worker may change matching ``?q=``: the search step of a form that
        needs a house. ``link(house)`` is where choosing one goes."""
        q = (self.request.GET.get("q") or "").strip()
        if not q:
            return {"q": "", "houses": []}
        qs = House.objects.restrict(self.request.user, "change")
        found = HouseFilterSet({"q": q}, queryset=qs, request=self.request).qs[:PAGE_SIZE]
        return {"q": q, "houses": [{"house": h, "url": link(h)} for h in found]}

    def chosen_house(self):
        """The house of ``?house=<id>`` the worker may change, or None; another grid's: 404."""
        value = self.request.GET.get("house") or ""
        if not value:
            return None
        if not value.isdigit():
            raise Http404
        return get_object_or_404(House.objects.restrict(self.request.user, "change"),
                                 pk=int(value))

    def residents(self, house, exclude=None, *, heads=False):
        """The residing people of a house the worker sees; with ``heads``, only household
        heads (or people in no household yet): whom one may join."""
        qs = Person.objects.restrict(self.request.user).current().filter(
            house=house, status=PersonStatus.RESIDING).order_by("name", "pk")
        if heads:
            qs = qs.filter(Q(household_head__isnull=True) | Q(household_head=F("pk")))
        if exclude is not None:
            qs = qs.exclude(pk=exclude.pk)
        return list(qs[:50])


# --- the list -------------------------------------------------------------------------------


class CollectHomeView(_Page):
    """采集: the worker's grids with counts, a search, the three segments, paginated rows
    (masked) that the service worker may pre-cache."""

    template_name = "field/collect/home.html"
    permission = (VIEW_PEOPLE, VIEW_OBJECTS)

    def get_context_data(self, **kwargs):
        request, user = self.request, self.request.user
        kind = request.GET.get("kind") if request.GET.get("kind") in KINDS else "people"
        if kind == "people" and not self.scope.can(VIEW_PEOPLE):
            kind = "houses"
        q = (request.GET.get("q") or "").strip()
        area = (request.GET.get("area") or "").strip()
        status = request.GET.get("status") or PersonStatus.RESIDING
        if status not in PersonStatus.values and status != "all":
            status = PersonStatus.RESIDING
        params = {"q": q, "area": area}
        if kind == "people":
            # The FilterSet keeps the residing people unless ``status`` names another.
            qs = (Person.objects.restrict(user).current().select_related("house")
                  .prefetch_related("tags"))
            fs = PersonFilterSet({**params, "status": status}, queryset=qs, request=request,
                                 special=access.can_see_special(user))
        elif kind == "houses":
            fs = HouseFilterSet(params, queryset=House.objects.restrict(user), request=request)
        else:
            fs = OrganisationFilterSet(params, queryset=Organisation.objects.restrict(user),
                                       request=request)
        page = Paginator(fs.qs if fs.is_valid() else fs.queryset.none(),
                         PAGE_SIZE).get_page(request.GET.get("page"))
        rows = [self.row(kind, obj) for obj in page.object_list]
        query = request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            kind=kind, kinds=[(k, v, k == kind) for k, v in KINDS.items()
                              if k != "people" or self.scope.can(VIEW_PEOPLE)],
            q=q, area=area, status=status, statuses=PersonStatus.choices, page=page,
            rows=rows, query=query.urlencode(), grids=self.grids(),
            can_change=self.scope.can(CHANGE), **kwargs)

    def row(self, kind, obj) -> dict:
        if kind == "people":
            special = getattr(self, "_special", None)
            if special is None:
                special = self._special = access.can_see_special(self.request.user)
            tags = "、".join(t.name for t in access.visible_tags(obj, None, special=special))
            sub = " · ".join(x for x in (obj.get_sex_display() if obj.sex else "",
                                         _("%(n)s岁") % {"n": obj.age} if obj.age is not None
                                         else "", obj.id_masked, house_label(obj.house) or
                                         obj.address, tags) if x)
            return {"url": reverse("field:collect-person", args=[obj.pk]), "title": obj.name,
                    "sub": sub, "badge": obj.get_status_display()
                    if obj.status != PersonStatus.RESIDING else "",
                    "badge_class": STATUS_BADGE.get(obj.status, "")}
        if kind == "houses":
            # Unit and room first: a long standard address would cut them off.
            return {"url": reverse("field:collect-house", args=[obj.pk]),
                    "title": " ".join(x for x in (obj.unit, obj.room) if x) or obj.address,
                    "sub": " · ".join((obj.address, obj.get_use_display(),
                                       obj.get_rental_status_display())),
                    "badge": "", "badge_class": ""}
        return {"url": reverse("field:collect-org", args=[obj.pk]), "title": obj.name,
                "sub": " · ".join(x for x in (obj.get_org_type_display(), obj.uscc,
                                              obj.address) if x),
                "badge": "", "badge_class": ""}

    def grids(self) -> list[dict]:
        """The worker's grids (at most 12) with residing people, houses and organisations."""
        user = self.request.user
        grids = list(Area.objects.filter(level="grid").filter(
            self.scope.area_q("code", VIEW_OBJECTS)).order_by("code").only("code", "name")[:12])
        codes = [g.code for g in grids]
        if not codes:
            return []

        def counts(qs):
            return dict(qs.filter(area_code__in=codes).order_by().values_list("area_code")
                        .annotate(n=Count("pk")))

        people = counts(Person.objects.restrict(user).current().filter(
            status=PersonStatus.RESIDING)) if self.scope.can(VIEW_PEOPLE) else None
        houses = counts(House.objects.restrict(user))
        orgs = counts(Organisation.objects.restrict(user))
        return [{"code": g.code, "name": g.name,
                 "people": people.get(g.code, 0) if people is not None else None,
                 "houses": houses.get(g.code, 0), "organisations": orgs.get(g.code, 0)}
                for g in grids]


# --- a person ---------------------------------------------------------------------------------


class _PersonPage(_Page):
    """A screen about one person the worker sees (``restrict``: another grid's is 404)."""

    scope_action = "view"

    def get_person(self):
        qs = (Person.objects.restrict(self.request.user, self.scope_action).current()
              .select_related("house", "household_head", "grid").prefetch_related("tags"))
        return get_object_or_404(qs, pk=self.kwargs["pk"])


class PersonView(_PersonPage):
    """A person: masked card, household, tags, status, last changes, and the actions."""

    template_name = "field/collect/person.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        person = self.get_person()
        head = person.household_head
        members = []
        if head is not None or person.relation_to_head == Relation.HEAD:
            head_id = head.pk if head is not None else person.pk
            members = list(Person.objects.restrict(user).current()
                           .filter(household_head_id=head_id).exclude(pk=person.pk)
                           .order_by("name", "pk")[:30])
        history = list(ChangeRecord.objects.restrict(user).filter(
            object_type="person", object_id=person.pk)[:10])
        for h in history:
            h.label = action_label(f"basedata.{h.action}")
            h.brief = h.action == "person.create"  # the card above shows what was collected
        if not access.can_reveal(user):
            for h in history:  # the birth date is part of the ID number: its year only
                if isinstance(h.changes, dict) and "birth_date" in h.changes:
                    h.changes = {**h.changes, "birth_date": [
                        f"{v[:4]}-**-**" if isinstance(v, str) and len(v) >= 4 else v
                        for v in h.changes["birth_date"]]}
        actions = []
        if self.may_change(person) and person.status != PersonStatus.DECEASED:
            pk = person.pk
            residing = person.status == PersonStatus.RESIDING
            for name, label, shown in (
                    ("phone", _("变更手机号"), True), ("household", _("家庭关系"), residing),
                    ("move-in", _("迁入"), True), ("move-out", _("迁出"), residing),
                    ("death", _("登记死亡"), True)):
                if shown:
                    actions.append({"url": reverse(f"field:collect-person-{name}", args=[pk]),
                                    "label": label, "danger": name == "death"})
        return super().get_context_data(
            person=person, head=head if head is not None and head.pk != person.pk else None,
            members=members, history=history, actions=actions,
            tags=access.visible_tags(person, user),
            birth_date=access.birth_date_shown(person, user),
            status_class=STATUS_BADGE.get(person.status, ""), **kwargs)


class PersonActionView(_PersonPage):
    """One small screen per change of a person: a ``data-outbox`` form to the API."""

    template_name = "field/collect/person_action.html"
    scope_action = "change"
    action = ""
    titles = {"phone": gettext_lazy("变更手机号"), "move-out": gettext_lazy("迁出"),
              "death": gettext_lazy("登记死亡"), "household": gettext_lazy("家庭关系"),
              "move-in": gettext_lazy("迁入")}

    def get_context_data(self, **kwargs):
        person = self.get_person()
        if person.status == PersonStatus.DECEASED:
            raise Http404
        context = {"person": person, "action": self.action, "title": self.titles[self.action],
                   "today": timezone.localdate().isoformat(),
                   "min_date": (timezone.localdate() - dt.timedelta(days=3650)).isoformat(),
                   "relations": Relation.choices,
                   "back_url": reverse("field:collect-person", args=[person.pk]),
                   "post_url": api_url("person-detail", person.pk) + self.action + "/"}
        if self.action == "household":
            context["heads"] = self.residents(person.house, exclude=person, heads=True) \
                if person.house_id else []
            context["current_head"] = (None if person.household_head_id in (None, person.pk)
                                       else person.household_head_id)
        elif self.action in ("move-out", "death"):
            # A head who leaves hands the household to one of its residing members.
            context["members"] = list(
                Person.objects.restrict(self.request.user, "change").current()
                .filter(household_head=person, status=PersonStatus.RESIDING)
                .exclude(pk=person.pk).order_by("name", "pk")[:30])
        elif self.action == "move-in":
            house = self.chosen_house()
            here = reverse("field:collect-person-move-in", args=[person.pk])
            context.update(house=house, heads=self.residents(house, exclude=person, heads=True)
                           if house else [],
                           **self.house_picker(link=lambda h: f"{here}?house={h.pk}"))
        return super().get_context_data(**context, **kwargs)


class PersonNewView(_Page):
    """新增居民: the ID number checked on the device and again by the server;
    sex and birth date derived from it; the house (from a house screen or searched), the
    household head among its residents, the moved-in date and care groups."""

    template_name = "field/collect/person_new.html"
    permission = CHANGE

    def get_context_data(self, **kwargs):
        user = self.request.user
        house = self.chosen_house()
        here = reverse("field:collect-person-new")
        tags = Tag.objects.all() if access.can_see_special(user) else Tag.objects.filter(
            kind=TagKind.CARE, sensitivity__lt=3)
        done = (reverse("field:collect-house", args=[house.pk]) if house
                else reverse("field:collect") + "?kind=people")
        return super().get_context_data(
            house=house, heads=self.residents(house, heads=True) if house else [],
            grids=[] if house else self.change_grids(), tags=list(tags),
            relations=Relation.choices, sexes=Sex.choices,
            registration_types=RegistrationType.choices,
            today=timezone.localdate().isoformat(), done_url=done,
            post_url=api_url("person-list"),
            **self.house_picker(link=lambda h: f"{here}?house={h.pk}"),
            **kwargs)


# --- houses and organisations ---------------------------------------------------------------


class HouseView(_Page):
    """A house: address, use, rental status, residents (with status), organisations."""

    template_name = "field/collect/house.html"
    permission = VIEW_OBJECTS

    def get_context_data(self, **kwargs):
        user = self.request.user
        house = get_object_or_404(House.objects.restrict(user).select_related("building"),
                                  pk=self.kwargs["pk"])
        residents = []
        if self.scope.can(VIEW_PEOPLE):
            residents = list(Person.objects.restrict(user).current().filter(house=house)
                             .order_by("status", "name", "pk")[:50])
        orgs = list(Organisation.objects.restrict(user).filter(house=house)[:20])
        return super().get_context_data(
            house=house, residents=[(p, STATUS_BADGE.get(p.status, "")) for p in residents],
            organisations=orgs, may_change=self.may_change(house), **kwargs)


class HouseEditView(_Page):
    """变更用途/出租: PATCH the house with ``expected_version``."""

    template_name = "field/collect/house_edit.html"
    permission = CHANGE

    def get_context_data(self, **kwargs):
        house = get_object_or_404(House.objects.restrict(self.request.user, "change"),
                                  pk=self.kwargs["pk"])
        return super().get_context_data(
            house=house, uses=HouseUse.choices, rental_statuses=RentalStatus.choices,
            post_url=api_url("house-detail", house.pk),
            back_url=reverse("field:collect-house", args=[house.pk]), **kwargs)


class OrganisationView(_Page):
    """An organisation: its fields and, for the worker who may, 修改."""

    template_name = "field/collect/organisation.html"
    permission = VIEW_OBJECTS

    def get_context_data(self, **kwargs):
        org = get_object_or_404(Organisation.objects.restrict(self.request.user)
                                .select_related("house"), pk=self.kwargs["pk"])
        return super().get_context_data(org=org, may_change=self.may_change(org), **kwargs)


class OrganisationFormView(_Page):
    """新增单位 (POST) or 修改单位 (PATCH with ``expected_version``); the credit code is
    checked on the device and again by the server."""

    template_name = "field/collect/organisation_form.html"
    permission = CHANGE

    def get_context_data(self, **kwargs):
        org = None
        if "pk" in self.kwargs:
            org = get_object_or_404(Organisation.objects.restrict(self.request.user, "change"),
                                    pk=self.kwargs["pk"])
        return super().get_context_data(
            org=org, org_types=OrgType.choices, grids=[] if org else self.change_grids(),
            post_url=api_url("organisation-detail", org.pk) if org
            else api_url("organisation-list"),
            done_url=reverse("field:collect-org", args=[org.pk]) if org
            else reverse("field:collect") + "?kind=organisations", **kwargs)


def _action(name):
    return PersonActionView.as_view(action=name)


urlpatterns = [
    path("", CollectHomeView.as_view(), name="collect"),
    path("people/new/", PersonNewView.as_view(), name="collect-person-new"),
    path("people/<int:pk>/", PersonView.as_view(), name="collect-person"),
    path("people/<int:pk>/phone/", _action("phone"), name="collect-person-phone"),
    path("people/<int:pk>/move-out/", _action("move-out"), name="collect-person-move-out"),
    path("people/<int:pk>/death/", _action("death"), name="collect-person-death"),
    path("people/<int:pk>/household/", _action("household"),
         name="collect-person-household"),
    path("people/<int:pk>/move-in/", _action("move-in"), name="collect-person-move-in"),
    path("houses/<int:pk>/", HouseView.as_view(), name="collect-house"),
    path("houses/<int:pk>/edit/", HouseEditView.as_view(), name="collect-house-edit"),
    path("organisations/new/", OrganisationFormView.as_view(), name="collect-org-new"),
    path("organisations/<int:pk>/", OrganisationView.as_view(), name="collect-org"),
    path("organisations/<int:pk>/edit/", OrganisationFormView.as_view(),
         name="collect-org-edit"),
]
