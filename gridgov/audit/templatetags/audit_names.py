"""Template filters showing the audit log's sealed codes by name (``gridgov.audit.labels``)."""

from django import template

from .. import labels

register = template.Library()


@register.filter
def action_name(code: str) -> str:
    return labels.action_label(code or "")


@register.filter
def role_names(roles: str) -> str:
    return labels.role_label(roles or "")


@register.filter
def object_type_name(object_type: str) -> str:
    return labels.object_type_label(object_type or "")


@register.filter
def object_name(rec) -> str:
    """A record's object: "用户 王丽娟", or "用户 #16" when no name was sealed."""
    return labels.object_label(rec.object_type, rec.object_id, rec.object_repr)


@register.filter
def actor_name(name: str) -> str:
    """The sealed actor name; the scheduler's "system" by its role name."""
    return labels.role_label(name) if name in labels.OTHER_ROLES else name
