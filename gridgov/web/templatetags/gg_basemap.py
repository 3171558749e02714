"""``{% basemap_json %}``: the page's base-map configuration as a JSON script element
(``#gg-basemap-config``), for maps whose configuration lives in data-* attributes;
``GG.basemap(map)`` reads it when called without a configuration."""

from django import template
from django.utils.html import json_script

from gridgov.web.basemap import basemap_config

register = template.Library()


@register.simple_tag(takes_context=True)
def basemap_json(context, element_id="gg-basemap-config", overlays=True):
    request = context.get("request")
    return json_script(basemap_config(request, overlays=overlays), element_id)
