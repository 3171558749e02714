"""Helpers of the 采集 tests: people and houses of the demo grids, and a reader of the
``data-outbox`` form a screen renders (what the outbox would send)."""

import datetime as dt
from html.parser import HTMLParser

from gridgov.basedata import actions
from gridgov.demo.basedata import make_id_number

_counter = iter(range(7000, 99_000))


def new_id_number(birth=dt.date(1979, 5, 6), female=False):
    return make_id_number(birth, next(_counter), female, "330203")


def make_person(grid, name="采集甲", *, house=None, phone="13912345678", **extra):
    return actions.create_person(actor=None, grid=grid, name=name, id_number=new_id_number(),
                                 phone=phone, house=house, **extra)


def make_house(grid, address="采集路1号", room="101"):
    return actions.create_house(actor=None, grid=grid, address=address, room=room)


class _FormReader(HTMLParser):
    """The first ``form[data-outbox]``: its attributes and the fields it would send."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.attrs = None
        self.fields = []  # (name, value) like FormData
        self.inputs = {}  # name → [attrs of every control]
        self._in = False
        self._select = None
        self._option = None
        self._textarea = None
        self._done = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and "data-outbox" in a and not self._done:
            self.attrs, self._in = a, True
            return
        if not self._in:
            return
        name = a.get("name")
        if tag == "input" and name:
            self.inputs.setdefault(name, []).append(a)
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    self.fields.append((name, a.get("value", "on")))
            elif kind not in ("submit", "button", "file"):
                self.fields.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self.inputs.setdefault(name, []).append(a)
            self._select = [name, None, None]  # name, first option, selected option
        elif tag == "option" and self._select is not None:
            value = a.get("value")
            self._option = value
            if self._select[1] is None:
                self._select[1] = value
            if "selected" in a:
                self._select[2] = value
        elif tag == "textarea" and name:
            self.inputs.setdefault(name, []).append(a)
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form" and self._in:
            self._in, self._done = False, True
        elif tag == "select" and self._select is not None:
            name, first, chosen = self._select
            self.fields.append((name, chosen if chosen is not None else (first or "")))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append(tuple(self._textarea))
            self._textarea = None


def outbox_form(html: str):
    """(form attributes, [(name, value)], {name: [control attrs]}) of a page's outbox form."""
    reader = _FormReader()
    reader.feed(html)
    assert reader.attrs is not None, "no form[data-outbox] on the page"
    return reader.attrs, reader.fields, reader.inputs


def as_post(fields, **overrides):
    """The form's fields as the outbox sends them (repeated names as lists), with the
    worker's input in ``overrides`` (a value replaces every field of that name)."""
    data: dict = {}
    for name, value in fields:
        if name in overrides:
            continue
        data.setdefault(name, []).append(value)
    for name, value in overrides.items():
        data[name] = value if isinstance(value, list) else [value]
    return data


def send(client, attrs, data, key):
    """Send an outbox form's data as the outbox does: multipart, to its ``action`` with its
    ``data-method``, an Idempotency-Key and the outbox's headers."""
    from django.test.client import BOUNDARY, encode_multipart

    return client.generic(
        (attrs.get("data-method") or "POST").upper(), attrs["action"],
        encode_multipart(BOUNDARY, data), content_type=f"multipart/form-data; boundary={BOUNDARY}",
        headers={"Idempotency-Key": key, "Accept": "application/json",
                 "X-Requested-With": "outbox"})
