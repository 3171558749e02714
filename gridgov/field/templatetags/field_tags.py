"""``{% field_static "field/field.css" %}``: a shell file's versioned URL (gridgov.field.assets)."""

from django import template

from gridgov.field import assets

register = template.Library()


@register.simple_tag
def field_static(name):
    return assets.url(name)
