"""Forms of the proactive pages: closing a task, recording consent."""

from django import forms
from django.utils.translation import gettext_lazy as _


class CloseForm(forms.Form):
    note = forms.CharField(label=_("办理情况"), max_length=500,
                           widget=forms.Textarea(attrs={"rows": 3}))


class ConsentForm(forms.Form):
    agreed = forms.TypedChoiceField(
        label=_("是否同意短信告知"), coerce=lambda v: v == "yes",
        choices=[("yes", _("同意:待遇和服务信息可发短信告知本人")),
                 ("no", _("不同意:由网格员当面告知"))],
        widget=forms.RadioSelect)
    note = forms.CharField(label=_("说明"), max_length=200, required=False,
                           help_text=_("例如:本人当面确认;子女代为确认。"))
