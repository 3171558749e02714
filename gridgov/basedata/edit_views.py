"""Desktop pages that change a record (until issue 13 the pages could only add): a person's
修改信息, 变更手机号, 迁入, 迁出, 登记死亡 and 户籍/家庭关系; a house's 用途/出租状态; an
organisation's details.

Each page is a form over one verb of ``basedata.actions``, reached through
``restrict(user, "change")`` (out of scope or read-only: 404). The form carries the version
it was drawn from: a save over a newer one answers 409 with "已被他人修改" and the current
values beside the worker's input, which stays in the form, ready to be saved again over the
version now shown.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from . import actions, forms
from .choices import PersonStatus
from .models import House, Organisation, Person

HOUSE_CHOICES_MAX = 500


class _Change(LoginRequiredMixin, View):
    """GET: the form with the record's values and version; POST: the verb, then the record's
    page, or the form again with the reasons (400) or the conflict (409)."""

    model = Person
    form_class = forms.VersionedForm
    title = ""
    submit = gettext_lazy("保存")
    danger = False
    template_name = "basedata/change_form.html"

    def queryset(self):
        return self.model.objects.restrict(self.request.user, "change")

    def get_object(self):
        return get_object_or_404(self.queryset(), pk=self.kwargs["pk"])

    def form_kwargs(self, obj) -> dict:
        return {}

    def initial(self, obj) -> dict:
        return {}

    def perform(self, obj, data):
        raise NotImplementedError

    def detail_url(self, obj) -> str:
        return reverse(f"basedata:{self.model._meta.model_name}", args=[obj.pk])

    def current_values(self, obj) -> list:
        """(label, value) of the record as it is now, shown beside a conflict."""
        return []

    def refused(self, obj) -> str:
        """Why the change cannot be made at all (the form is not shown), or ''."""
        return ""

    def render_form(self, obj, form, *, status=200, conflict=None):
        return render(self.request, self.template_name, {
            "object": obj, "form": form, "title": self.title, "submit": self.submit,
            "danger": self.danger, "detail_url": self.detail_url(obj),
            "conflict": conflict, "refused": self.refused(obj),
            "current": self.current_values(conflict or obj) if conflict else [],
        }, status=status)

    def get(self, request, pk):
        obj = self.get_object()
        form = self.form_class(initial={"expected_version": obj.version, **self.initial(obj)},
                               **self.form_kwargs(obj))
        return self.render_form(obj, form)

    def post(self, request, pk):
        obj = self.get_object()
        if self.refused(obj):
            return self.render_form(obj, self.form_class(**self.form_kwargs(obj)), status=400)
        form = self.form_class(request.POST, **self.form_kwargs(obj))
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                self.perform(obj, data)
            except actions.VersionConflict as exc:
                current = exc.current
                posted = request.POST.copy()
                posted["expected_version"] = current.version
                form = self.form_class(posted, **self.form_kwargs(current))
                form.is_valid()
                messages.warning(request, _("已被他人修改:请核对下方的最新内容,确认后再次保存。"))
                return self.render_form(current, form, status=409, conflict=current)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("已保存。"))
                return redirect(self.detail_url(obj))
        return self.render_form(obj, form, status=400)


# --- people -------------------------------------------------------------------------------


class _PersonChange(_Change):
    model = Person

    def queryset(self):
        return (super().queryset().current()
                .select_related("grid", "house", "household_head"))

    def current_values(self, p):
        return [
            (_("姓名"), p.name), (_("身份证号"), p.id_masked or "—"),
            (_("户籍类型"), p.get_registration_type_display()),
            (_("手机号"), p.phone_masked or "—"), (_("居住地址"), p.address or "—"),
            (_("人员状态"), p.get_status_display()),
            (_("居住房屋"), str(p.house) if p.house_id else "—"),
            (_("户主"), p.household_head.name if p.household_head_id else "—"),
            (_("与户主关系"), p.get_relation_to_head_display() or "—"),
        ]

    def members(self, p):
        """The residing members of ``p``'s household (candidates to take it over)."""
        return (Person.objects.restrict(self.request.user, "change").current()
                .filter(household_head=p, status=PersonStatus.RESIDING).exclude(pk=p.pk)
                .order_by("name"))

    def heads(self, p):
        """Heads of residing households near ``p`` (same community) the user may change."""
        return (Person.objects.restrict(self.request.user, "change").current()
                .filter(status=PersonStatus.RESIDING, household_head=F("pk"),
                        area_code__startswith=p.area_code[:12])
                .exclude(pk=p.pk).select_related("house").order_by("address", "name")[:300])


class PersonEditView(_PersonChange):
    """修改信息: name, ID number (blank keeps it), registration type, address."""

    form_class = forms.PersonEditForm
    title = gettext_lazy("修改信息")

    def initial(self, p):
        return {"name": p.name, "registration_type": p.registration_type,
                "address": p.address}

    def perform(self, p, data):
        changes = {k: data[k] for k in ("name", "registration_type", "address")}
        if data.get("id_number"):
            changes["id_number"] = data["id_number"]
        actions.update_person(p, actor=self.request.user,
                              expected_version=data["expected_version"], **changes)


class PersonPhoneView(_PersonChange):
    form_class = forms.PhoneForm
    title = gettext_lazy("变更手机号")

    def perform(self, p, data):
        actions.change_phone(p, data["phone"], actor=self.request.user,
                             expected_version=data["expected_version"])


class PersonMoveInView(_PersonChange):
    """迁入: into a house of the person's community (a move farther goes through the data
    officer or the terminal's new-resident form)."""

    form_class = forms.MoveInForm
    title = gettext_lazy("迁入")
    submit = gettext_lazy("确认迁入")

    def refused(self, p):
        if p.status == PersonStatus.DECEASED:
            return _("已死亡人员不能办理迁入。")
        return ""

    def form_kwargs(self, p):
        houses = (House.objects.restrict(self.request.user, "change")
                  .filter(area_code__startswith=p.area_code[:12])
                  .order_by("address", "unit", "room"))
        pks = list(houses.values_list("pk", flat=True)[:HOUSE_CHOICES_MAX])
        return {"houses": House.objects.filter(pk__in=pks).order_by("address", "unit", "room"),
                "heads": Person.objects.filter(pk__in=[h.pk for h in self.heads(p)])}

    def initial(self, p):
        return {"house": p.house_id, "on": timezone.localdate()}

    def perform(self, p, data):
        actions.move_in(p, data["house"], on=data["on"], household_head=data["household_head"],
                        relation=data["relation_to_head"] or None, actor=self.request.user,
                        expected_version=data["expected_version"])


class PersonMoveOutView(_PersonChange):
    form_class = forms.MoveOutForm
    title = gettext_lazy("迁出")
    submit = gettext_lazy("确认迁出")
    danger = True

    def initial(self, p):
        return {"on": timezone.localdate()}

    def refused(self, p):
        if p.status == PersonStatus.DECEASED:
            return _("已死亡人员不能办理迁出。")
        if p.status == PersonStatus.MOVED_OUT:
            return _("该人员已迁出。")
        return ""

    def form_kwargs(self, p):
        return {"members": self.members(p)}

    def perform(self, p, data):
        actions.move_out(p, on=data["on"], destination=data["destination"],
                         reason=data["reason"], new_head=data.get("new_head"),
                         actor=self.request.user, expected_version=data["expected_version"])


class PersonDeathView(_PersonChange):
    form_class = forms.DeathForm
    title = gettext_lazy("登记死亡")
    submit = gettext_lazy("确认登记死亡")
    danger = True

    def initial(self, p):
        return {"on": timezone.localdate()}

    def refused(self, p):
        return _("该人员已登记死亡。") if p.status == PersonStatus.DECEASED else ""

    def form_kwargs(self, p):
        return {"members": self.members(p)}

    def perform(self, p, data):
        actions.record_death(p, on=data["on"], note=data["note"],
                             new_head=data.get("new_head"), actor=self.request.user,
                             expected_version=data["expected_version"])


class PersonHouseholdView(_PersonChange):
    """户籍/家庭关系: join a household of the community, change the relation, or become the
    head of a new one."""

    form_class = forms.HouseholdForm
    title = gettext_lazy("户籍/家庭关系")

    def refused(self, p):
        if p.status != PersonStatus.RESIDING:
            return _("只能变更在住人员的家庭关系。")
        return ""

    def form_kwargs(self, p):
        return {"heads": Person.objects.filter(pk__in=[h.pk for h in self.heads(p)])
                .order_by("address", "name")}

    def initial(self, p):
        if p.household_head_id and p.household_head_id != p.pk:
            return {"household_head": p.household_head_id,
                    "relation_to_head": p.relation_to_head}
        return {}

    def perform(self, p, data):
        actions.set_household(p, data["household_head"], data["relation_to_head"] or None,
                              actor=self.request.user,
                              expected_version=data["expected_version"])


# --- houses and organisations --------------------------------------------------------------


class HouseEditView(_Change):
    model = House
    form_class = forms.HouseEditForm
    title = gettext_lazy("用途/出租状态")

    def initial(self, h):
        return {"use": h.use, "rental_status": h.rental_status, "owner_name": h.owner_name,
                "area_m2": h.area_m2}

    def current_values(self, h):
        return [(_("用途"), h.get_use_display()),
                (_("出租状态"), h.get_rental_status_display()),
                (_("产权人"), h.owner_name or "—"),
                (_("面积(平方米)"), h.area_m2 if h.area_m2 is not None else "—")]

    def perform(self, h, data):
        actions.update_house(h, actor=self.request.user,
                             expected_version=data.pop("expected_version"),
                             **{k: ("" if v is None else v) for k, v in data.items()})


class OrganisationEditView(_Change):
    model = Organisation
    form_class = forms.OrganisationEditForm
    title = gettext_lazy("修改单位信息")

    def initial(self, o):
        return {"name": o.name, "uscc": o.uscc, "org_type": o.org_type,
                "legal_representative": o.legal_representative, "address": o.address}

    def current_values(self, o):
        return [(_("名称"), o.name), (_("统一社会信用代码"), o.uscc),
                (_("类型"), o.get_org_type_display()),
                (_("法定代表人"), o.legal_representative or "—"), (_("地址"), o.address or "—")]

    def perform(self, o, data):
        actions.update_organisation(o, actor=self.request.user,
                                    expected_version=data.pop("expected_version"), **data)
