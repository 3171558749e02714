"""Forms for the area pages: the system administrator's attribute editor."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import KINDS_BY_LEVEL, Kind
from .models import Area

EDITABLE_FIELDS = [
    "name", "kind", "land_use", "management_level", "responsible_party", "households",
]


class AreaAttributesForm(forms.ModelForm):
    """An area's descriptive attributes. Code, level, parent and polygon are not edited here:
    they move the area in the hierarchy and are changed through the API with the geometry
    rules checked by ``areas.actions``."""

    class Meta:
        model = Area
        fields = EDITABLE_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer only the kinds that fit the area's level (a grid is basic or dedicated).
        allowed = KINDS_BY_LEVEL.get(self.instance.level, set(Kind))
        self.fields["kind"].choices = [(v, label) for v, label in Kind.choices if v in allowed]
        self.fields["households"].help_text = _("网格一般为数百户。")

    def changes(self) -> dict:
        """The submitted values that differ from the stored ones, for ``update_area``."""
        return {
            name: self.cleaned_data[name]
            for name in self.changed_data
            if name in EDITABLE_FIELDS
        }
