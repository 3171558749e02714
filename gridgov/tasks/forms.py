"""The command room's form for a new task (新建任务)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import TaskKind

ASSIGN_NAMED, ASSIGN_NEAREST = "named", "nearest"


class TaskForm(forms.Form):
    """What the command room fills in; ``grid`` and ``assignee`` choices come from the
    dispatcher's areas (``grids``, ``workers``)."""

    kind = forms.ChoiceField(label=_("任务类型"), choices=TaskKind.choices)
    title = forms.CharField(label=_("标题"), max_length=100)
    instructions = forms.CharField(label=_("任务要求"), required=False, max_length=2000,
                                   widget=forms.Textarea(attrs={"rows": 3}))
    event = forms.CharField(label=_("关联事件编号"), required=False, max_length=20,
                            help_text=_("核查某一事件时填写;网格和位置默认取该事件的。"))
    grid = forms.ChoiceField(label=_("网格"), required=False)
    lng = forms.FloatField(label=_("经度"), required=False, min_value=-180, max_value=180)
    lat = forms.FloatField(label=_("纬度"), required=False, min_value=-90, max_value=90)
    due_at = forms.DateTimeField(label=_("完成时限"), required=False,
                                 input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                 widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                            format="%Y-%m-%dT%H:%M"))
    assign_to = forms.ChoiceField(
        label=_("派给"), widget=forms.RadioSelect, initial=ASSIGN_NAMED,
        choices=[(ASSIGN_NAMED, _("指定网格员")), (ASSIGN_NEAREST, _("派给最近的在岗网格员"))])
    assignee = forms.ChoiceField(label=_("网格员"), required=False)

    def __init__(self, *args, grids=(), workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].choices = [("", _("(取关联事件的网格)"))] + [
            (g.code, f"{g.name}({g.code})") for g in grids]
        self.fields["assignee"].choices = [("", "—")] + [
            (str(u.pk), str(u)) for u in workers]

    def clean(self):
        data = super().clean()
        if data.get("assign_to") == ASSIGN_NAMED and not data.get("assignee"):
            self.add_error("assignee", _("请选择执行任务的网格员。"))
        if not data.get("grid") and not data.get("event"):
            self.add_error("grid", _("请选择网格,或填写关联事件编号。"))
        return data
