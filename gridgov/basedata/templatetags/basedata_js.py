"""``{% validator_texts as texts %}``: the messages of ``basedata/js/validators.js`` for the
page's language (see ``basedata/js_texts.py``)."""

from django import template

from gridgov.basedata.js_texts import VALIDATOR_TEXTS

register = template.Library()


@register.simple_tag
def validator_texts() -> dict[str, str]:
    return {key: str(text) for key, text in VALIDATOR_TEXTS.items()}
