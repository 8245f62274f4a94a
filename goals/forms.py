"""Forms of the plan and task pages. They only parse input; the rules live in goals.actions."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin, DateInput

from .models import Cadence

DATE = DateInput()
TEXT = {"rows": 3}


def _reason(label=_("reason for the adjustment")):
    return forms.CharField(label=label, widget=forms.Textarea(attrs=TEXT))


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit):
        return unit.name


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, unit):
        return unit.name


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, person):
        return f"{person.real_name}（{person.unit.name}）" if person.unit_id else person.real_name


class PlanForm(BootstrapMixin, forms.Form):
    unit = UnitChoiceField(label=_("unit"), queryset=None, help_text=_("Units where you may draw up goal plans."))
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("title"), max_length=100)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class PlanTitleForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("title"), max_length=100)


class PlanAdjustForm(PlanTitleForm):
    reason = _reason()


class GoalForm(BootstrapMixin, forms.Form):
    node = forms.ModelChoiceField(
        label=_("dimension or indicator"), queryset=None, required=False,
        help_text=_("The part of the current standard this goal serves."),
    )
    title = forms.CharField(label=_("goal"), max_length=200)
    measure = forms.CharField(label=_("measure"), required=False, widget=forms.Textarea(attrs=TEXT))
    target_value = forms.CharField(label=_("target value"), max_length=100, required=False)
    key_actions = forms.CharField(label=_("key actions"), required=False, widget=forms.Textarea(attrs=TEXT))
    owner_unit = UnitChoiceField(label=_("owner unit"), queryset=None)
    weight = forms.DecimalField(label=_("weight"), initial=1, min_value=0, max_value=1000, decimal_places=2)

    def __init__(self, *args, nodes, units, with_reason=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes
        self.fields["owner_unit"].queryset = units
        if with_reason:
            self.fields["reason"] = _reason()


class TaskForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("task"), max_length=200)
    lead_unit = UnitChoiceField(label=_("lead unit"), queryset=None)
    supporting_units = UnitMultipleChoiceField(
        label=_("supporting units"), queryset=None, required=False, widget=forms.SelectMultiple(attrs={"size": 5})
    )
    owner = PersonChoiceField(
        label=_("owner"), queryset=None, required=False, help_text=_("A person of the lead unit or a unit below it.")
    )
    start_date = forms.DateField(label=_("start date"), widget=DATE)
    due_date = forms.DateField(label=_("due date"), widget=DATE)
    expected_output = forms.CharField(
        label=_("expected output"), max_length=200, required=False, help_text=_("e.g. meeting minutes, a report, a system.")
    )
    cadence = forms.ChoiceField(label=_("reporting cadence"), choices=Cadence.choices, initial=Cadence.MONTHLY)
    weight = forms.DecimalField(label=_("weight"), initial=1, min_value=0, max_value=1000, decimal_places=2)

    def __init__(self, *args, lead_units, supporting_units, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = lead_units
        self.fields["supporting_units"].queryset = supporting_units
        self.fields["owner"].queryset = people

    def clean(self):
        data = super().clean()
        owner, lead_unit = data.get("owner"), data.get("lead_unit")
        if owner is not None and lead_unit is not None and not owner.unit.path.startswith(lead_unit.path):
            self.add_error("owner", _("The owner must be a person of the lead unit or of a unit below it."))
        return data


class MilestoneForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("milestone"), max_length=200)
    due = forms.DateField(label=_("due date"), widget=DATE)


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs=TEXT))


class ReassignForm(BootstrapMixin, forms.Form):
    lead_unit = UnitChoiceField(label=_("new lead unit"), queryset=None)
    reason = _reason()

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = units


class RescheduleForm(BootstrapMixin, forms.Form):
    due_date = forms.DateField(label=_("new due date"), widget=DATE)
    reason = _reason()


class ReportForm(BootstrapMixin, forms.Form):
    period = forms.DateField(label=_("period ending"), widget=DATE)
    percent = forms.DecimalField(label=_("percent done"), min_value=0, max_value=100, decimal_places=2)
    done_text = forms.CharField(label=_("what was done"), widget=forms.Textarea(attrs=TEXT))
    problems = forms.CharField(label=_("problems met"), required=False, widget=forms.Textarea(attrs=TEXT))
    support_needed = forms.CharField(label=_("support needed"), required=False, widget=forms.Textarea(attrs=TEXT))
