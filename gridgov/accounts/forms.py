"""Forms of the sign-in and account administration pages. They only validate input; the
writes happen in ``accounts.actions``."""

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from gridgov.areas.choices import Level
from gridgov.areas.models import Area
from gridgov.core.access import grants

from . import lockout
from .models import Department


def policy_help():
    return password_validation.password_validators_help_text_html()


def locked_message(until) -> str:
    local = timezone.localtime(until)
    return _("账号已锁定,请于 %(until)s 之后再试,或联系安全管理员解锁。") % {
        "until": date_format(local, "Y-m-d H:i")
    }


class LoginForm(AuthenticationForm):
    """Django's sign-in form with the lock-out in front of the password check.

    A locked name is refused before its password is even looked at, so the right password
    does not get through either. The refusal reads exactly like a wrong password or an unknown
    name (same message, same status) and costs one password hash like them, so neither the
    page nor its timing tells a guesser that a name exists or is locked; the lock itself is
    audited (``accounts.login_refused``) and shown to the security administrator.
    """

    error_messages = {
        "invalid_login": _lazy("用户名或密码不正确,或账号因连续多次失败已被暂时锁定。"
                               "请稍后再试,或联系安全管理员。"),
        "inactive": _lazy("用户名或密码不正确,或账号因连续多次失败已被暂时锁定。"
                          "请稍后再试,或联系安全管理员。"),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _lazy("用户名")
        self.fields["password"].label = _lazy("密码")

    def clean(self):
        username = lockout.normalise(self.cleaned_data.get("username"))
        until = lockout.locked_until(username)
        if until is not None:
            from .signals import record_refused_locked

            record_refused_locked(username, until)
            # Spend one hash as a password check would (ModelBackend hashes even for unknown
            # names), so a locked name does not answer measurably faster.
            make_password(self.cleaned_data.get("password") or "")
            raise self.get_invalid_login_error()
        return super().clean()


class TotpForm(forms.Form):
    code = forms.CharField(
        label=_lazy("动态口令"), max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "autofocus": True}),
    )


class OwnPasswordForm(PasswordChangeForm):
    """Change one's own password; the policy (AUTH_PASSWORD_VALIDATORS) applies."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["old_password"].label = _lazy("当前密码")
        self.fields["new_password1"].label = _lazy("新密码")
        self.fields["new_password1"].help_text = policy_help()
        self.fields["new_password2"].label = _lazy("确认新密码")


class UserCreateForm(forms.Form):
    username = forms.CharField(label=_lazy("用户名"), max_length=150)
    real_name = forms.CharField(label=_lazy("姓名"), max_length=50)
    phone = forms.CharField(label=_lazy("手机号"), max_length=20, required=False)
    department = forms.ModelChoiceField(
        label=_lazy("部门"), queryset=Department.objects.filter(is_active=True), required=False,
    )
    password1 = forms.CharField(label=_lazy("初始密码"), widget=forms.PasswordInput,
                                strip=False)
    password2 = forms.CharField(label=_lazy("确认密码"), widget=forms.PasswordInput,
                                strip=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].help_text = policy_help()

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致。"))
        return data


class AssignRoleForm(forms.Form):
    # Roles are data: the choices are read from the role table when the form is built.
    role = forms.ChoiceField(label=_lazy("角色"), choices=grants.role_choices)
    area_code = forms.CharField(label=_lazy("区域编码"), max_length=15,
                                help_text=_lazy("如 330203(海曙区)、330203005(鼓楼街道)。"))

    def clean_area_code(self):
        code = self.cleaned_data["area_code"].strip()
        area = Area.objects.filter(code=code).first()
        if area is None:
            raise ValidationError(_("没有编码为 %(code)s 的区域。") % {"code": code})
        self.cleaned_data["area"] = area
        return code


class UnlockForm(forms.Form):
    username = forms.CharField(label=_lazy("用户名"), max_length=150)


class ApiKeyForm(forms.Form):
    department = forms.ModelChoiceField(label=_lazy("部门"), queryset=Department.objects.none())
    name = forms.CharField(label=_lazy("用途"), max_length=100,
                           help_text=_lazy("如:执法系统对接。"))

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments if departments is not None else (
            Department.objects.none())


class DepartmentCreateForm(forms.Form):
    code = forms.CharField(label=_lazy("编码"), max_length=20)
    name = forms.CharField(label=_lazy("名称"), max_length=100)
    short_name = forms.CharField(label=_lazy("简称"), max_length=40, required=False)
    kind = forms.ChoiceField(label=_lazy("类型"))
    area_code = forms.CharField(label=_lazy("所属区域编码"), max_length=15)
    phone = forms.CharField(label=_lazy("联系电话"), max_length=30, required=False)

    def __init__(self, *args, **kwargs):
        from .choices import DepartmentKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = DepartmentKind.choices

    clean_area_code = AssignRoleForm.clean_area_code


class RoleCreateForm(forms.Form):
    """A new role: its code, name and where it may be held. Its permissions are ticked on the
    role's page afterwards (or given at once through ``/api/roles/``)."""

    code = forms.SlugField(
        label=_lazy("编码"), max_length=30,
        help_text=_lazy("小写字母开头,由小写字母、数字或下划线组成,如 assessor。"),
    )
    name = forms.CharField(label=_lazy("名称"), max_length=50)
    description = forms.CharField(label=_lazy("说明"), widget=forms.Textarea(attrs={"rows": 3}),
                                  required=False)
    area_levels = forms.MultipleChoiceField(
        label=_lazy("可任职区域层级"), choices=Level.choices, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_lazy("不选则任何层级均可。"),
    )
    department_bound = forms.BooleanField(
        label=_lazy("须属部门"), required=False,
        help_text=_lazy("担任者须属于某个部门,并以该部门的身份办理。"),
    )
    order = forms.IntegerField(label=_lazy("排序"), min_value=0, initial=150)
