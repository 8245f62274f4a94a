"""Forms of the assessment pages. They only parse input; the rules live in assessment.actions."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin, DateInput
from organization.models import UnitKind

from . import components
from .models import ComponentSource, ConditionKind

DATE = DateInput()


class RoundOptionsForm(BootstrapMixin, forms.Form):
    appeal_days = forms.IntegerField(label=_("days to appeal"), min_value=0, max_value=60, initial=5)
    allow_over_full_marks = forms.BooleanField(label=_("bonus may pass the full marks"), required=False)
    bonus_cap = forms.DecimalField(label=_("bonus cap"), required=False, min_value=0, help_text=_("Empty: no cap."))
    higher_level_multiplier = forms.DecimalField(
        label=_("multiplier on deductions found by the reviewer"), initial=1, min_value=1, max_value=10
    )
    children_share = forms.DecimalField(label=_("share of the units below (%)"), initial=0, min_value=0, max_value=100)
    weakness_percent = forms.DecimalField(label=_("weakness threshold (%)"), initial=60, min_value=0, max_value=100)


class RoundEditForm(RoundOptionsForm):
    veto_grade = forms.ModelChoiceField(
        label=_("best grade after a veto"), queryset=None, required=False,
        empty_label=_("The lowest grade"),
    )
    reviewers = forms.ModelMultipleChoiceField(
        label=_("reviewers"), queryset=None, required=False, help_text=_("Empty: every assessor in scope may review."),
    )

    def __init__(self, *args, grades, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["veto_grade"].queryset = grades
        self.fields["reviewers"].queryset = people


class RoundForm(RoundOptionsForm):
    name = forms.CharField(label=_("name"), max_length=100)
    unit = forms.ModelChoiceField(label=_("organizing unit"), queryset=None)
    standard = forms.ModelChoiceField(label=_("standard"), queryset=None, help_text=_("Published standards you may use."))
    period_start = forms.DateField(label=_("period start"), widget=DATE)
    period_end = forms.DateField(label=_("period end"), widget=DATE)
    self_assessment_due = forms.DateField(label=_("self-assessment due"), widget=DATE)
    review_due = forms.DateField(label=_("review due"), widget=DATE)

    field_order = ["name", "unit", "standard", "period_start", "period_end", "self_assessment_due", "review_due"]

    def __init__(self, *args, units, standards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["standard"].queryset = standards


class GradeForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("grade"), max_length=20, required=False)
    min_score = forms.DecimalField(label=_("lowest score"), required=False)
    quota_count = forms.IntegerField(label=_("at most (units)"), required=False, min_value=0)
    quota_percent = forms.DecimalField(label=_("at most (percent of peers)"), required=False, min_value=0, max_value=100)
    pay_coefficient = forms.DecimalField(label=_("pay coefficient"), required=False, initial=1)
    award_eligible = forms.BooleanField(label=_("eligible for awards"), required=False)


class ComponentForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("component"), max_length=50, required=False)
    weight = forms.DecimalField(label=_("weight (%)"), required=False)
    # Read when the form is built: capabilities register their sources in AppConfig.ready().
    source = forms.ChoiceField(label=_("source"), choices=lambda: [*ComponentSource.choices, *components.choices()], required=False)


GradeFormSet = forms.formset_factory(GradeForm, extra=2)
ComponentFormSet = forms.formset_factory(ComponentForm, extra=2)


class ConditionForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("condition"), choices=ConditionKind.choices)
    node = forms.ModelChoiceField(label=_("dimension or indicator"), queryset=None, required=False, help_text=_("Empty: any dimension."))
    percent = forms.DecimalField(label=_("threshold (%)"), initial=0, min_value=0, max_value=100)
    best_grade = forms.ModelChoiceField(label=_("best grade allowed"), queryset=None)

    def __init__(self, *args, nodes, grades, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes
        self.fields["best_grade"].queryset = grades


class AddUnitsForm(BootstrapMixin, forms.Form):
    root = forms.ModelChoiceField(label=_("units under"), queryset=None, help_text=_("This unit and every unit below it."))
    kinds = forms.MultipleChoiceField(
        label=_("of the kinds"), choices=UnitKind.choices, widget=forms.CheckboxSelectMultiple, initial=[UnitKind.DEPARTMENT]
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["root"].queryset = units
        self.fields["kinds"].widget.attrs["class"] = "form-check-input"


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))


class AppealAnswerForm(BootstrapMixin, forms.Form):
    accept = forms.TypedChoiceField(
        label=_("decision"), choices=[("0", _("Reject")), ("1", _("Accept"))], coerce=lambda value: value == "1"
    )
    answer = forms.CharField(label=_("answer"), widget=forms.Textarea(attrs={"rows": 3}))
    reopen = forms.BooleanField(
        label=_("Reopen the review to rescore items"), required=False,
        help_text=_("Accepted appeals only: the scorecard goes back to review; completing it recomputes the published results."),
    )
