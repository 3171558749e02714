"""Human names for what the audit log records: actions, object types, objects and roles.

The log seals codes ("accounts.totp_verified", "accounts.user", "audit_admin"): they are what
the chain's hashes cover and what the API and the CLI filter on, so they never change. People
read names. The names are data each app declares next to the codes it records, in an optional
``<app>/audit_labels.py`` (discovered like ``permissions.py``, so the audit app imports no
other app):

* ``ACTIONS``: ``{action code: name}``;
* ``OBJECT_TYPES``: ``{object type: name}``, only where the model's verbose name does not fit
  (types without a model, such as ``accounts.login``).

Codes nobody named are shown as they are (a test fails on any action recorded in the code
without a name). Roles are named by the role table (``grants.role_label``).
"""

from importlib import import_module

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from gridgov.core.access import grants

# Audit roles that are not staff roles: the job scheduler, and a reporter acting through
# their private tracking link.
OTHER_ROLES = {"system": _lazy("系统"), "reporter": _lazy("上报人")}
# Actions recorded under a pattern rather than one code (a model's "<app>.<model>.reveal").
SUFFIXES = {".reveal": _lazy("查看完整个人信息")}

_registry: dict | None = None


def _discover() -> dict:
    actions: dict[str, tuple[str, str]] = {}
    object_types: dict[str, str] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("gridgov."):
            continue
        try:
            module = import_module(f"{config.name}.audit_labels")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.audit_labels":
                raise
            continue
        for code, label in getattr(module, "ACTIONS", {}).items():
            if code in actions:
                raise ImproperlyConfigured(f"audit action {code!r} named twice")
            actions[code] = (config.label, label)
        object_types.update(getattr(module, "OBJECT_TYPES", {}))
    return {"actions": actions, "object_types": object_types}


def registry() -> dict:
    global _registry
    if _registry is None:
        _registry = _discover()
    return _registry


def declared_actions() -> dict[str, str]:
    """Every named action: code → name."""
    return {code: label for code, (_app, label) in registry()["actions"].items()}


def action_label(code: str) -> str:
    """The name of an action code (the code itself when nobody named it)."""
    entry = registry()["actions"].get(code)
    if entry is not None:
        return str(entry[1])
    for suffix, label in SUFFIXES.items():
        if code.endswith(suffix):
            return str(label)
    return code


def object_type_label(object_type: str) -> str:
    """The name of an object type: declared, else its model's verbose name, else the code."""
    declared = registry()["object_types"].get(object_type)
    if declared is not None:
        return str(declared)
    app_label, _dot, model_name = object_type.partition(".")
    try:
        return str(apps.get_model(app_label, model_name)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def object_label(object_type: str, object_id, object_repr: str = "") -> str:
    """"用户 王丽娟" (the name sealed with the record) or "用户 #16" when none was sealed."""
    if not object_type:
        return str(object_repr or object_id or "")
    kind = object_type_label(object_type)
    shown = object_repr or (f"#{object_id}" if object_id not in (None, "") else "")
    return f"{kind} {shown}".strip()


def role_label(roles: str) -> str:
    """The names of a record's sealed role codes ("audit_admin" → "审计管理员"); a role renamed
    since shows its name now, a removed one its code."""
    names = []
    for code in filter(None, (roles or "").split(",")):
        other = OTHER_ROLES.get(code)
        names.append(str(other) if other is not None else grants.role_label(code))
    return "、".join(names)


def action_choices() -> list:
    """Choices for the action filter, grouped by app: "all of this app" first, then each
    action by name. Values are codes (an app's is its prefix "accounts."), which the
    FilterSet matches by prefix."""
    groups: dict[str, list] = {}
    for code, (app_label, label) in registry()["actions"].items():
        groups.setdefault(app_label, []).append((code, str(label)))
    choices: list = [("", _("全部操作"))]
    for config in apps.get_app_configs():
        entries = groups.get(config.label)
        if not entries:
            continue
        name = str(config.verbose_name)
        options = [(f"{config.label}.", _("%(app)s:全部") % {"app": name})]
        options += entries  # in the order the app declared them (its workflow order)
        choices.append((name, options))
    return choices


def object_type_choices() -> list:
    """Choices for the object type filter, grouped by app: every model of the project and
    the declared types without a model, by name."""
    declared = registry()["object_types"]
    choices: list = [("", _("全部对象类型"))]
    for config in apps.get_app_configs():
        if not config.name.startswith("gridgov."):
            continue
        entries = {f"{config.label}.{model._meta.model_name}": str(model._meta.verbose_name)
                   for model in config.get_models()}
        entries.update({code: str(label) for code, label in declared.items()
                        if code.partition(".")[0] == config.label})
        if entries:
            choices.append((str(config.verbose_name),
                            sorted(entries.items(), key=lambda item: item[1])))
    return choices


def field_label(object_type: str, field: str) -> str:
    """The verbose name of a changed field of the object's model (the key when there is
    none: changes of types without a model, or keys that are not fields)."""
    app_label, _dot, model_name = (object_type or "").partition(".")
    try:
        model = apps.get_model(app_label, model_name)
    except (LookupError, ValueError):
        return field
    return model_field_label(model, field)


def model_field_label(model, key: str) -> str:
    """The name of a key of a model's change or provenance record: the field's verbose name,
    the label of a personal value stored encrypted (``personal_fields``), else the key."""
    personal = getattr(model, "personal_fields", {}).get(key)
    if personal is not None:
        return str(personal.label)
    for name in (key, f"{key}_masked"):
        try:
            return str(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            continue
    return key
