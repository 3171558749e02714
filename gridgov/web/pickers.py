"""Pickers: form widgets that let a person choose a category, a department or an area by
name, never by typing its code.

Each picker is a plain ``<select>`` (it works without JavaScript); ``gridgov/js/pickers.js``
enhances the ones marked ``data-picker`` into a tree with a search box. The options come
from a loader (a callable returning ``[(value, label)]`` or ``[(group, [(value, label)])]``)
called only when the widget is drawn, so a filter form that is never shown costs no query.
The loaders live with their data (``events.filtersets``, ``areas.views_tree``): this module
imports no other app.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

ALL = _("全部")


class PickerSelect(forms.Select):
    """A select whose options are loaded when drawn; a value not among them (a grid left out
    of a long list, an inactive class, a code from an old link) stays selected, named by
    ``resolve(value)`` (the code itself only when nothing has that code), so the page never
    drops a filter silently nor shows a bare code for a known name."""

    picker = ""

    def __init__(self, loader=None, *, resolve=None, picker="", blank_label=ALL, attrs=None,
                 extra=None):
        self.loader = loader
        self.resolve = resolve
        self.blank_label = blank_label
        attrs = dict(attrs or {})
        if picker or self.picker:
            attrs["data-picker"] = picker or self.picker
        attrs.update(extra or {})
        super().__init__(attrs=attrs)

    def __deepcopy__(self, memo):
        # The loader is a closure over the request's user: share it, do not copy it.
        copied = super().__deepcopy__(memo)
        copied.loader = self.loader
        copied.resolve = self.resolve
        return copied

    def _load(self, value) -> list:
        choices = [("", self.blank_label), *(self.loader() if self.loader else [])]
        known = {str(v) for v, label in flatten(choices)}
        if value not in (None, "") and str(value) not in known:
            label = self.resolve(str(value)) if self.resolve else None
            choices.append((str(value), label or str(value)))
        return choices

    def label_of(self, value) -> str:
        """The name shown for ``value`` (as the drawn select would show it)."""
        return dict(flatten(self._load(value))).get(str(value), str(value)).strip()

    def get_context(self, name, value, attrs):
        self.choices = self._load(value)
        return super().get_context(name, value, attrs)


def flatten(choices):
    """``(value, label)`` pairs of choices, groups opened."""
    for value, label in choices:
        if isinstance(label, (list, tuple)):
            yield from label
        else:
            yield value, label


class TriStateSelect(forms.Select):
    """全部 / 是 / 否 for a yes-no filter (django-filter's default offers "未知")."""

    def __init__(self, attrs=None):
        super().__init__(attrs, choices=(("", ALL), ("true", _("是")), ("false", _("否"))))

    def format_value(self, value):
        value = {True: "true", False: "false", "1": "true", "0": "false"}.get(value, value)
        return [value] if value in ("true", "false") else [""]

    def value_from_datadict(self, data, files, name):
        value = str(data.get(name, "")).lower()
        return {"1": True, "true": True, "0": False, "false": False}.get(value)
