"""Open311 GeoReport v2 output: the same data as JSON or as XML, in the spec's shapes.

The spec's XML wraps lists in a plural element with one singular element per item
(``<services><service>…``, ``<attributes><attribute>…``); JSON is the same tree with plain
lists. Text is UTF-8 everywhere, XML starts with its declaration, and the content types are
``application/json`` and ``text/xml``.
"""

import json
from xml.etree import ElementTree as ET

from django.http import HttpResponse
from django.utils import timezone

JSON, XML = "json", "xml"
CONTENT_TYPES = {
    JSON: "application/json; charset=utf-8",
    XML: "text/xml; charset=utf-8",
}
# Plural element → the element of each item inside it.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "notes": "note",  # the notes extension (status history)
}


def w3_datetime(value) -> str | None:
    """A datetime in the W3C profile of ISO 8601 with the zone offset (local time)."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list):
        item = ITEM_NAMES.get(element.tag, "item")
        for child in value:
            _fill(ET.SubElement(element, item), child)
    else:
        element.text = _text(value)


def to_xml(root: str, value) -> bytes:
    element = ET.Element(root)
    _fill(element, value)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def render(fmt: str, root: str, value, status: int = 200) -> HttpResponse:
    """``value`` as JSON, or as XML under the element ``root`` (``services``, ...)."""
    if fmt == XML:
        body = to_xml(root, value)
    else:
        body = json.dumps(value, ensure_ascii=False).encode("utf-8")
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def errors(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    """The spec's error answer: a list of {code, description} with the HTTP status."""
    rows = [{"code": status, "description": str(d)} for d in descriptions]
    return render(fmt, "errors", rows, status=status)
