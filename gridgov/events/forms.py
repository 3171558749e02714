"""Forms of the event detail page: one per workflow action, built from the workflow table.

The forms check input shape; ``gridgov.events.actions`` decides (role, state, rules).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.models import Department

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
    """The form of one workflow action, with the event's version for conflict detection."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, action: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        self.transition = TRANSITIONS[action]
        self.fields.update(_fields(action))

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
