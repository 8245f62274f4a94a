"""Forms of the supervision pages: issue, reply, escalate, and the ledger's filters."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin, DateInput

from .models import SupervisionLevel, SupervisionStatus


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.code}）"


class IssueForm(BootstrapMixin, forms.Form):
    """A notice on a task or a unit; without either, the office picks the supervised unit."""

    unit = UnitChoiceField(label=_("supervised unit"), queryset=None)
    issuing_unit = UnitChoiceField(label=_("issuing unit"), queryset=None)
    level = forms.ChoiceField(label=_("level"), choices=SupervisionLevel.choices, initial=SupervisionLevel.REMINDER)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 4}))
    reply_due = forms.DateField(label=_("reply due"), widget=DateInput())

    def __init__(self, *args, units=None, issuing_units, **kwargs):
        super().__init__(*args, **kwargs)
        if units is None:
            del self.fields["unit"]
        else:
            self.fields["unit"].queryset = units
        self.fields["issuing_unit"].queryset = issuing_units


class ReplyForm(BootstrapMixin, forms.Form):
    text = forms.CharField(
        label=_("reply"), widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What the unit has done about the matter and what it will do, with dates."),
    )


class EscalateForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 4}))
    reply_due = forms.DateField(label=_("reply due"), widget=DateInput())


class NoticeFilterForm(BootstrapMixin, forms.Form):
    """The ledger's filters, read from the query string; a filter with an invalid value is left out."""

    status = forms.ChoiceField(label=_("status"), required=False, choices=[("", _("All statuses")), *SupervisionStatus.choices])
    level = forms.ChoiceField(label=_("level"), required=False, choices=[("", _("All levels")), *SupervisionLevel.choices])
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    unit = UnitChoiceField(label=_("supervised unit"), required=False, queryset=None, empty_label=_("All units"))
    year = forms.IntegerField(label=_("year"), required=False, min_value=2000, max_value=2100)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    def filters(self):
        """Keyword arguments for ``ledger.filter_notices``."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: self.cleaned_data[name] for name in ("status", "level", "overdue", "unit", "year") if name in self.cleaned_data}
