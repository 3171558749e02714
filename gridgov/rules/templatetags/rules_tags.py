"""Template filters of the rule pages: a dict lookup and a fact value as text."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def lookup(mapping, key):
    """``mapping[key]`` (empty when missing)."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.filter
def fact_text(value):
    """A fact's value as text: 是/否, lists joined, empty as —."""
    if value is True:
        return _("是")
    if value is False:
        return _("否")
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return "、".join(map(str, value))
    return value
