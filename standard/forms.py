from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin

from .models import Cadence, Level, Method
from .spreadsheet import read_levels


def unit_label(unit):
    return f"{'　' * (unit.depth - 1)}{unit.name}"


class StandardForm(BootstrapMixin, forms.Form):
    # Numbers are read by the actions, which give the same messages to the pages, the API and imports.
    name = forms.CharField(label=_("Name"), max_length=100)
    total_points = forms.CharField(label=_("Full marks"), initial="100", help_text=_("The base total without bonus points."))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class NewStandardForm(StandardForm):
    unit = forms.ModelChoiceField(label=_("Owning unit"), queryset=None, help_text=_("Every unit under it is scored against the standard."))
    start = forms.ChoiceField(
        label=_("Start from"),
        choices=[("empty", _("An empty standard")), ("default", _("The default five-excellences standard"))],
        initial="default",
    )

    field_order = ["unit", "name", "start", "total_points", "note"]

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = unit_label


class NodeForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("Title"), widget=forms.Textarea(attrs={"rows": 2}))
    points = forms.CharField(label=_("Points"), required=False)
    method = forms.ChoiceField(label=_("Scoring method"), choices=Method.choices)
    per_occurrence = forms.CharField(label=_("Deduction per occurrence"), required=False, help_text=_("Deduct items only."))
    levels = forms.CharField(
        label=_("Grade levels"), required=False,
        help_text=_('Graded items only, best first, e.g. "A好=100, B较好=80, C一般=60, D差=0".'),
    )
    guide = forms.CharField(label=_("Scoring guide"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    evidence_required = forms.CharField(label=_("Evidence required"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    lead_department = forms.CharField(label=_("Lead department"), max_length=100, required=False)
    cadence = forms.ChoiceField(label=_("Evidence cadence"), choices=Cadence.choices, required=False)

    ITEM_ONLY = ("method", "per_occurrence", "levels", "cadence")

    def __init__(self, *args, level=Level.ITEM, **kwargs):
        super().__init__(*args, **kwargs)
        if level != Level.ITEM:
            for name in self.ITEM_ONLY:
                del self.fields[name]
            self.fields["points"].help_text = _("The cap of the scores below it; empty or 0: no cap.")

    def clean_levels(self):
        text = self.cleaned_data["levels"].strip()
        if not text or self.cleaned_data.get("method") != Method.GRADED:
            return []
        try:
            return read_levels(text)
        except ValidationError as error:
            raise ValidationError(error.messages) from None


class ImportForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=_("Standard file (.xlsx)"))
    unit = forms.ModelChoiceField(label=_("Owning unit"), queryset=None)
    name = forms.CharField(
        label=_("Name"), max_length=100, required=False,
        help_text=_("Left empty, the name on the file's 标准信息 sheet is used."),
    )

    def __init__(self, *args, units=None, replace=False, **kwargs):
        super().__init__(*args, **kwargs)
        if replace:
            del self.fields["unit"]
            del self.fields["name"]
        else:
            self.fields["unit"].queryset = units
            self.fields["unit"].label_from_instance = unit_label
