"""``{% field_static "field/field.css" %}``: a shell file's versioned URL (gridgov.field.assets)."""

from django import template

from gridgov.field import assets, js_texts

register = template.Library()


@register.simple_tag
def field_static(name):
    return assets.url(name)


@register.simple_tag
def field_texts():
    """The field scripts' messages in the page's language (gridgov.field.js_texts)."""
    return {key: str(text) for key, text in js_texts.FIELD_TEXTS.items()}
