"""Basic-data pages: lists (search, filters, a small map, masked export), details with
history and field provenance, the reveal step, the grid worker's "add a family" form, upload
with a rejected-rows report, and the data officer's merge page.

Everything reads through ``restrict()`` (out of scope is 404) and writes through
``basedata.actions``.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from gridgov.areas.models import Area
from gridgov.core import personal_data
from gridgov.core.access import get_scope
from gridgov.core.routers import ReplicaReadsMixin
from gridgov.core.views import (
    PermissionRequiredMixin,
    ScopedDetailView,
    ScopedListView,
    refuse_export,
)

from . import access, actions, exporters
from .choices import PersonStatus
from .filtersets import (
    BuildingFilterSet,
    ComponentFilterSet,
    HouseFilterSet,
    OrganisationFilterSet,
    PersonFilterSet,
)
from .forms import HouseFields, MemberFormSet, PersonFields, RevealForm
from .models import (
    Building,
    ChangeRecord,
    Component,
    House,
    Organisation,
    Person,
)
from .permissions import CHANGE, REVEAL

FILTERSETS = {"people": PersonFilterSet, "buildings": BuildingFilterSet,
              "houses": HouseFilterSet, "organisations": OrganisationFilterSet,
              "components": ComponentFilterSet}
MODELS = {"people": Person, "buildings": Building, "houses": House,
          "organisations": Organisation, "components": Component}


def filtered(kind, request):
    """The restricted and filtered queryset of a list, the same for page and export."""
    model = MODELS[kind]
    qs = model.objects.restrict(request.user)
    if kind == "people":
        qs = qs.current().select_related("house").prefetch_related("tags")
        fs = PersonFilterSet(request.GET or None, queryset=qs, request=request,
                             special=access.can_see_special(request.user))
    else:
        if kind == "components":
            qs = qs.select_related("owner_department")
        elif kind == "buildings":
            qs = qs.with_house_counts(request.user)
        fs = FILTERSETS[kind](request.GET or None, queryset=qs, request=request)
    return fs


class _List(ScopedListView):
    template_name = "basedata/list.html"
    kind = ""
    title = ""
    columns = ()

    def get_queryset(self):
        self.filterset = filtered(self.kind, self.request)
        return self.filterset.qs

    def cells(self, obj):
        raise NotImplementedError

    def point(self, obj):
        return (obj.lng, obj.lat) if getattr(obj, "lng", None) is not None else None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows, points = [], []
        for obj in context["object_list"]:
            url = reverse(f"basedata:{self.detail_name}", args=[obj.pk])
            cells = self.cells(obj)
            rows.append({"url": url, "cells": list(zip(self.columns, cells, strict=False))})
            pt = self.point(obj)
            if pt and pt[0] is not None:
                points.append({"lng": pt[0], "lat": pt[1], "label": str(cells[0]),
                               "url": url})
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filter=self.filterset, title=self.title, columns=self.columns, rows=rows,
            points=points, kind=self.kind, query=query.urlencode(),
            filtered=any(v for k, v in self.request.GET.items() if k != "page"),
            can_change=access.can_change(self.request.user),
            can_merge=access.can_merge(self.request.user),
        )
        return context


class PersonListView(_List):
    """实有人口 list: masked ID numbers and phones, visible tags only."""

    model = Person
    kind = "people"
    detail_name = "person"
    title = gettext_lazy("实有人口")
    columns = (gettext_lazy("姓名"), gettext_lazy("身份证号"), gettext_lazy("性别"),
               gettext_lazy("年龄"), gettext_lazy("手机号"), gettext_lazy("户籍类型"),
               gettext_lazy("居住地址"), gettext_lazy("人群标签"), gettext_lazy("网格"),
               gettext_lazy("人员状态"))

    def get_context_data(self, **kwargs):
        self.special = access.can_see_special(self.request.user)
        return super().get_context_data(**kwargs)

    def cells(self, p):
        tags = "、".join(t.name for t in access.visible_tags(p, None, special=self.special))
        return (p.name, p.id_masked, p.get_sex_display() if p.sex else "", p.age or "",
                p.phone_masked, p.get_registration_type_display(), p.address, tags, p.area_code,
                p.get_status_display())

    def point(self, p):
        return (p.house.lng, p.house.lat) if p.house and p.house.lng is not None else None


class BuildingListView(_List):
    """楼栋 list: address, floors and the number of houses the user may see."""

    model = Building
    kind = "buildings"
    detail_name = "building"
    title = gettext_lazy("楼栋")
    columns = (gettext_lazy("楼栋"), gettext_lazy("标准地址"), gettext_lazy("层数"),
               gettext_lazy("房屋数"), gettext_lazy("网格"))

    def cells(self, b):
        return (b.name, b.address, b.floors, b.house_count, b.area_code)


class HouseListView(_List):
    model = House
    kind = "houses"
    detail_name = "house"
    title = gettext_lazy("房屋")
    columns = (gettext_lazy("标准地址"), gettext_lazy("单元"), gettext_lazy("房号"),
               gettext_lazy("用途"), gettext_lazy("产权人"), gettext_lazy("出租状态"),
               gettext_lazy("网格"))

    def cells(self, h):
        return (h.address, h.unit, h.room, h.get_use_display(), h.owner_name,
                h.get_rental_status_display(), h.area_code)


class OrganisationListView(_List):
    model = Organisation
    kind = "organisations"
    detail_name = "organisation"
    title = gettext_lazy("单位")
    columns = (gettext_lazy("名称"), gettext_lazy("统一社会信用代码"), gettext_lazy("类型"),
               gettext_lazy("法定代表人"), gettext_lazy("地址"), gettext_lazy("网格"))

    def cells(self, o):
        return (o.name, o.uscc, o.get_org_type_display(), o.legal_representative, o.address,
                o.area_code)


class ComponentListView(_List):
    model = Component
    kind = "components"
    detail_name = "component"
    title = gettext_lazy("部件")
    columns = (gettext_lazy("部件编码"), gettext_lazy("分类"), gettext_lazy("状态"),
               gettext_lazy("主管部门"), gettext_lazy("位置描述"), gettext_lazy("网格"))

    def cells(self, c):
        return (c.code, c.class_name, c.get_state_display(),
                c.owner_department.name if c.owner_department else "", c.address, c.area_code)


class _Detail(ScopedDetailView):
    template_name = "basedata/detail.html"

    def fields(self, obj):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        obj = self.object
        history = list(ChangeRecord.objects.filter(object_type=obj._meta.model_name,
                                                   object_id=obj.pk)[:50])
        if not access.can_reveal(self.request.user):
            for h in history:  # the birth date is part of the ID number: its year only
                if isinstance(h.changes, dict) and "birth_date" in h.changes:
                    h.changes = {**h.changes, "birth_date": [
                        f"{v[:4]}-**-**" if isinstance(v, str) and len(v) >= 4 else v
                        for v in h.changes["birth_date"]]}
        point = None
        lng, lat = self.point(obj)
        if lng is not None:
            point = [{"lng": lng, "lat": lat, "label": str(obj), "url": ""}]
        context.update(fields=self.fields(obj), history=history, points=point or [],
                       provenance=[(_("其余全部字段") if k == "*" else k, v)
                                   for k, v in sorted((obj.provenance or {}).items())],
                       title=str(obj), kind_title=obj._meta.verbose_name,
                       list_url=reverse(f"basedata:{self.list_name}"))
        return context

    def point(self, obj):
        return getattr(obj, "lng", None), getattr(obj, "lat", None)


class PersonDetailView(_Detail):
    """A person's page: masked values, reveal form for the roles that may, visible tags,
    household, history and field provenance."""

    model = Person
    template_name = "basedata/person_detail.html"
    list_name = "people"

    def get_queryset(self):
        return super().get_queryset().select_related("house", "household_head", "grid",
                                                     "merged_into").prefetch_related("tags")

    def point(self, p):
        return (p.house.lng, p.house.lat) if p.house else (None, None)

    def fields(self, p):
        return [
            (_("姓名"), p.name), (_("身份证号"), p.id_masked or "—"),
            (_("出生日期"), access.birth_date_shown(p, self.request.user) or "—"),
            (_("性别"), p.get_sex_display() or "—"),
            (_("户籍类型"), p.get_registration_type_display()),
            (_("手机号"), p.phone_masked or "—"), (_("居住地址"), p.address or "—"),
            (_("居住房屋"), str(p.house) if p.house else "—"),
            (_("户主"), str(p.household_head.name) if p.household_head else "—"),
            (_("与户主关系"), p.get_relation_to_head_display() or "—"),
            (_("网格"), f"{p.grid.name} ({p.area_code})"),
            (_("来源"), p.get_source_display()),
            *life_fields(p),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        p = self.object
        context["can_edit"] = not p.merged_into_id and Person.objects.restrict(
            self.request.user, "change").filter(pk=p.pk).exists()
        context["tags"] = access.visible_tags(p, self.request.user)
        context["members"] = (Person.objects.restrict(self.request.user).current()
                              .filter(household_head=p).exclude(pk=p.pk))
        context["can_reveal"] = access.can_reveal(self.request.user)
        context["reveal_form"] = RevealForm()
        # The person's proactive services (benefits, service tasks, SMS consent), for who may
        # read them in the person's area.
        scope = get_scope(self.request.user)
        context["services_url"] = (
            reverse("proactive:person", args=[p.pk])
            if scope is not None and scope.covers(p.area_code, "proactive.view") else "")
        return context


def life_fields(p) -> list:
    """A person's status and its dates, as the page lists them."""
    rows = [(_("人员状态"), p.get_status_display())]
    if p.moved_in_on:
        rows.append((_("迁入日期"), p.moved_in_on))
    if p.status == PersonStatus.MOVED_OUT:
        rows += [(_("迁出日期"), p.status_on or "—"), (_("迁往地"), p.moved_out_to or "—")]
    elif p.status == PersonStatus.DECEASED:
        rows.append((_("死亡日期"), p.status_on or "—"))
    if p.status_note:
        rows.append((_("状态说明"), p.status_note))
    return rows


class PersonRevealView(PermissionRequiredMixin, View):
    """POST: show one full value once, with a reason; the reveal is audited."""

    permission = REVEAL

    def post(self, request, pk):
        person = get_object_or_404(Person.objects.restrict(request.user), pk=pk)
        form = RevealForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请填写查看完整信息的理由。"))
            return redirect("basedata:person", pk=pk)
        try:
            value = personal_data.reveal(person, form.cleaned_data["field"],
                                         actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("basedata:person", pk=pk)
        response = render(request, "basedata/reveal.html", {
            "person": person, "field": dict(form.fields["field"].choices)[
                form.cleaned_data["field"]], "value": value})
        response["Cache-Control"] = "no-store"
        return response


class BuildingDetailView(_Detail):
    """A building's page: its fields, its houses (those the user may see), a small map when
    it has a point, history and field provenance."""

    model = Building
    template_name = "basedata/building_detail.html"
    list_name = "buildings"

    def get_queryset(self):
        return super().get_queryset().select_related("grid")

    def fields(self, b):
        return [(_("楼栋"), b.name), (_("标准地址"), b.address),
                (_("层数"), b.floors if b.floors is not None else "—"),
                (_("网格"), f"{b.grid.name} ({b.area_code})"),
                (_("来源"), b.get_source_display())]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The houses are read through restrict() too: a house of this building recorded in
        # another grid stays out of sight, as on the house list.
        context["houses"] = House.objects.restrict(self.request.user).filter(
            building=self.object)
        return context


class HouseDetailView(_Detail):
    """A house's page: its fields, the people recorded in it with their status (members
    left without a household head listed apart), history and provenance."""

    model = House
    list_name = "houses"
    template_name = "basedata/house_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("building")

    def fields(self, h):
        return [
            (_("标准地址"), h.address), (_("楼栋"), self._building(h)),
            (_("单元"), h.unit or "—"), (_("房号"), h.room or "—"),
            (_("用途"), h.get_use_display()),
            (_("产权人"), h.owner_name or "—"), (_("出租状态"), h.get_rental_status_display()),
            (_("面积(平方米)"), h.area_m2 if h.area_m2 is not None else "—"),
            (_("承租人"), ", ".join(t.name for t in h.tenants.all()) or "—"),
            (_("网格"), h.area_code),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        h = self.object
        residents = list(Person.objects.restrict(self.request.user).current().filter(house=h)
                         .select_related("household_head")
                         .order_by("status", "household_head_id", "name")[:200])
        context["residents"] = residents
        # Members whose head moved out or died: a relation to a head, and no head.
        context["headless"] = [p for p in residents if p.status == PersonStatus.RESIDING
                               and p.household_head_id is None
                               and p.relation_to_head not in ("", "head")]
        context["can_edit"] = House.objects.restrict(self.request.user, "change").filter(
            pk=h.pk).exists()
        return context

    def _building(self, h):
        if not h.building:
            return "—"
        # Linked only when the building is in the user's scope: no link to a 404.
        if not Building.objects.restrict(self.request.user).filter(pk=h.building_id).exists():
            return h.building.name
        return format_html('<a href="{}">{}</a>', reverse("basedata:building",
                                                         args=[h.building_id]),
                           h.building.name)


class OrganisationDetailView(_Detail):
    model = Organisation
    list_name = "organisations"
    template_name = "basedata/organisation_detail.html"

    def fields(self, o):
        return [(_("名称"), o.name), (_("统一社会信用代码"), o.uscc),
                (_("类型"), o.get_org_type_display()),
                (_("法定代表人"), o.legal_representative or "—"), (_("地址"), o.address or "—"),
                (_("网格"), o.area_code)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_edit"] = Organisation.objects.restrict(self.request.user, "change").filter(
            pk=self.object.pk).exists()
        return context


class ComponentDetailView(_Detail):
    model = Component
    list_name = "components"

    def fields(self, c):
        def dept(d):
            return d.name if d else "—"
        return [(_("部件编码"), c.code), (_("分类"), c.class_name), (_("名称"), c.name),
                (_("状态"), c.get_state_display()), (_("主管部门"), dept(c.owner_department)),
                (_("权属单位"), dept(c.custodian_department)),
                (_("养护单位"), dept(c.maintainer_department)),
                (_("位置"), f"{c.lng:.6f}, {c.lat:.6f} (WGS-84)"),
                (_("位置描述"), c.address or "—"), (_("网格"), c.area_code)]


class FamilyAddView(PermissionRequiredMixin, View):
    """添加家庭: the house, the household head and the members in one mobile-friendly form,
    saved all or nothing."""

    permission = CHANGE
    template_name = "basedata/family_form.html"

    def grids(self):
        return list(Area.objects.filter(level="grid").filter(
            self.scope.area_q("code", CHANGE)).only("code", "name")[:200])

    def get(self, request):
        grids = self.grids()
        return render(request, self.template_name, {
            "house_form": HouseFields(grids=grids), "head_form": PersonFields(prefix="head"),
            "members": MemberFormSet(prefix="m")})

    def post(self, request):
        grids = self.grids()
        house_form = HouseFields(request.POST, grids=grids)
        head_form = PersonFields(request.POST, prefix="head")
        members = MemberFormSet(request.POST, prefix="m")
        if house_form.is_valid() and head_form.is_valid() and members.is_valid():
            grid = next(g for g in grids if g.code == house_form.cleaned_data["grid"])
            house_data = {k: v for k, v in house_form.cleaned_data.items() if k != "grid"}
            member_rows = [self._person(f.cleaned_data) for f in members.forms
                           if f.cleaned_data.get("name")]
            try:
                with transaction.atomic():
                    house = House.objects.filter(
                        address=house_data["address"], unit=house_data["unit"],
                        room=house_data["room"]).first()
                    if house is not None and not House.objects.restrict(
                            request.user, "change").filter(pk=house.pk).exists():
                        raise ValidationError({"address": _("该房屋属于其他网格。")})
                    people = actions.add_family(
                        actor=request.user, grid=grid, house=house,
                        house_data=None if house else house_data,
                        head=self._person(head_form.cleaned_data), members=member_rows)
            except ValidationError as exc:
                self._errors(exc, house_form, head_form, members)
            else:
                messages.success(request, _("已添加家庭成员 %(n)d 人。") % {"n": len(people)})
                return redirect("basedata:person", pk=people[0].pk)
        return render(request, self.template_name, {
            "house_form": house_form, "head_form": head_form, "members": members}, status=400)

    @staticmethod
    def _person(data):
        out = {k: data.get(k) for k in ("name", "id_number", "phone", "registration_type",
                                        "birth_date", "relation_to_head") if k in data}
        out["tags"] = [t.name for t in data.get("tags") or []]
        return out

    @staticmethod
    def _errors(exc, house_form, head_form, members):
        for key, errors in exc.message_dict.items():
            parts = key.split(".")
            if parts[0] == "head" and len(parts) > 1:
                form, field = head_form, parts[1]
            elif parts[0] == "members" and len(parts) > 2:
                form, field = members.forms[int(parts[1])], parts[2]
            else:
                form, field = house_form, parts[0]
            form.add_error(field if field in form.fields else None, errors)


class MergeView(LoginRequiredMixin, View):
    """合并重复人员: candidates by name, birth date and address; the data officer confirms."""

    def get(self, request):
        if not access.can_merge(request.user):
            raise Http404
        groups = actions.merge_candidates(Person.objects.restrict(request.user, "change"))
        return render(request, "basedata/merge.html", {"groups": groups})

    def post(self, request):
        if not access.can_merge(request.user):
            raise Http404
        qs = Person.objects.restrict(request.user, "change")
        primary = get_object_or_404(qs, pk=request.POST.get("primary"))
        dups = list(qs.filter(pk__in=request.POST.getlist("duplicates")))
        try:
            actions.merge_people(primary, dups, actor=request.user,
                                 reason=request.POST.get("reason", ""))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("basedata:merge")
        messages.success(request, _("已合并。"))
        return redirect("basedata:person", pk=primary.pk)


# The import pages (upload, the job's progress, result, report, template) are in
# ``views_import.py``, named here for ``urls.py``.
from .views_import import (  # noqa: E402
    ImportReportView,
    ImportResultView,
    ImportTemplateView,
    ImportView,
)

__all__ = ["ImportReportView", "ImportResultView", "ImportTemplateView", "ImportView"]


class ExportView(ReplicaReadsMixin, LoginRequiredMixin, View):
    """Export the filtered list the user sees, masked (CSV or XLSX); audited.

    Up to ``GRIDGOV_EXPORT_INLINE_ROWS`` rows (2,000) the file is the answer; a larger list is
    written by a background job (``basedata/jobs.py``) whose page offers the download."""

    def get(self, request, kind, fmt):
        if kind not in MODELS or fmt not in ("csv", "xlsx"):
            raise Http404
        refused = refuse_export(request)
        if refused is not None:
            return refused
        fs = filtered(kind, request)
        if fs.is_bound and not fs.is_valid():
            return HttpResponse(str(fs.errors), status=400)
        from gridgov.background.files import export_in_background, seal_query

        if not export_in_background(fs.qs):
            return exporters.export(kind, fs.qs, user=request.user, fmt=fmt,
                                    filters={k: v for k, v in request.GET.items()})
        from gridgov.background.actions import submit_job

        job = submit_job("basedata.export_people" if kind == "people" else "basedata.export",
                         actor=request.user, params={"kind": kind, "fmt": fmt,
                                                     "query": seal_query(request)})
        return redirect("background:job", uid=job.uid)
