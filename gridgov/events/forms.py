"""Forms of the event detail page: one per workflow action, built from the workflow table.

The forms check input shape; ``gridgov.events.actions`` decides (role, state, rules).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.models import Department

from . import evidence
from .models import MinorCategory
from .workflow import TRANSITIONS


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several photos, recordings or videos in one field."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,audio/*,video/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


def _remark(required=False, label=None):
    return forms.CharField(label=label or _("意见"), required=required, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


def _fields(action: str) -> dict:
    reason = forms.CharField(label=_("理由"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))
    category = forms.ModelChoiceField(
        label=_("事件小类"), required=False, to_field_name="code",
        queryset=MinorCategory.objects.filter(is_active=True).select_related("major"))
    attachments = MultipleFileField(label=_("照片/录音/视频"), required=False)
    yes_no = {"approve": (_("同意"), _("不同意")), "passed": (_("核查通过"), _("不通过,返工"))}
    table = {
        "register": {"category": category, "remark": _remark()},
        "file": {"category": category, "remark": _remark()},
        "not_file": {"reason": reason},
        "void": {"reason": reason},
        "dispatch": {
            "department": forms.ModelChoiceField(
                label=_("责任部门"), required=False, to_field_name="code",
                queryset=Department.objects.filter(is_active=True),
                help_text=_("不选则派往事件小类的默认责任部门。")),
            "to_grid": forms.BooleanField(label=_("派往所在网格(属地处置)"), required=False),
            "remark": _remark()},
        "claim": {"remark": _remark()},
        "return": {"reason": reason},
        "request_extension": {
            "days": forms.IntegerField(label=_("延期工作日"), min_value=1, max_value=30),
            "reason": reason},
        "request_suspension": {"reason": reason},
        "resume": {"remark": _remark()},
        "complete": {"remark": _remark(True, _("处置情况")), "attachments": attachments,
                     "overdue_reason": forms.CharField(
                         label=_("超期说明"), required=False, max_length=2000,
                         widget=forms.Textarea(attrs={"rows": 2}),
                         help_text=_("超过处置时限时必填。"))},
        "resolve_on_spot": {"remark": _remark(True, _("处置情况")), "attachments": attachments},
        "escalate": {"reason": reason},
        "supervise": {"remark": _remark(True, _("督办意见"))},
        "evaluate": {
            "score": forms.TypedChoiceField(label=_("评分"), coerce=int,
                                            choices=[(i, str(i)) for i in range(5, 0, -1)]),
            "comment": _remark(False, _("评价意见"))},
    }
    if action in ("decide_extension", "decide_suspension", "release_held", "verify"):
        key = "passed" if action == "verify" else "approve"
        yes, no = yes_no[key]
        out = {key: forms.TypedChoiceField(
            label=_("结论"), coerce=lambda v: v == "1", choices=[("1", yes), ("0", no)],
            widget=forms.RadioSelect)}
        out["remark"] = _remark()
        if action == "verify":
            out["attachments"] = attachments
        return out
    return table[action]


class TransitionForm(forms.Form):
    """The form of one workflow action, with the event's version for conflict detection.

    Given the ``event``, it shows what the action will do with it before it is posted: the
    department a dispatch goes to (preselected and named) and the evidence a completion or
    verification must carry (``evidence.requirement``, which the action enforces).
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, action: str, *args, event=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        self.transition = TRANSITIONS[action]
        self.fields.update(_fields(action))
        self.evidence = None
        if event is not None and action == "dispatch":
            self._name_department(event)
        if event is not None and action in evidence.STEP_OF:
            self._show_evidence(evidence.requirement(event, action))

    def _name_department(self, event) -> None:
        # Without this the select showed "---------" and the action silently used the
        # class's default department: now the default is the selected, named choice.
        field = self.fields["department"]
        default = event.category.default_department if event.category else None
        if default is not None and default.is_active:
            self.initial.setdefault("department", default.code)
            field.empty_label = _("按小类默认:%(name)s") % {"name": default.name}
            field.help_text = _("默认派往%(name)s(事件小类“%(category)s”的默认责任部门),"
                                "可改选其他部门;勾选“派往所在网格”则交网格属地处置。") % {
                "name": default.name, "category": event.category.name}
        else:
            field.empty_label = _("请选择责任部门")
            field.help_text = _("该事件小类没有默认责任部门:请选择部门,或勾选“派往所在网格”。")

    def _show_evidence(self, need) -> None:
        self.evidence = need
        field = self.fields["attachments"]
        if need.photo:
            field.label = _("现场照片(必须上传照片)")
            field.widget.attrs["required"] = "required"
        field.help_text = need.hint or _("本类事件照片可选。")
        for name in ("lng", "lat"):
            self.fields[name] = forms.CharField(required=False, max_length=32,
                                                widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        if self.action == "dispatch" and cleaned.get("to_grid"):
            # The department is preselected: ticking the grid is the explicit choice.
            cleaned["department"] = None
        return cleaned

    def action_data(self) -> dict:
        """The cleaned values as ``actions.perform`` reads them (codes for choices)."""
        data = {}
        for key, value in self.cleaned_data.items():
            if key in ("version", "attachments"):
                continue
            if hasattr(value, "code"):
                value = value.code
            data[key] = value
        return data
