"""Forms of the problem pages. They only parse input; the rules live in problems.actions."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from core.forms import BootstrapMixin, DateInput
from standard.models import Level, Node, StandardStatus

from .models import Kind, ProblemStatus, Severity, Source

TEXT = {"rows": 3}


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit):
        return unit.name


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, person):
        return f"{person.real_name}（{person.unit.name}）" if person.unit_id else person.real_name


def _all(label):
    return [("", label)]


class ProblemFilterForm(BootstrapMixin, forms.Form):
    """The ledger's filters, read from the query string; an invalid value is ignored."""

    unit = UnitChoiceField(label=_("unit"), required=False, queryset=None, empty_label=_("All units"))
    source = forms.ChoiceField(label=_("source"), required=False, choices=[*_all(_("All sources")), *Source.choices])
    dimension = forms.ModelChoiceField(label=_("Dimension"), required=False, queryset=None, empty_label=_("All dimensions"))
    status = forms.ChoiceField(label=_("status"), required=False, choices=[*_all(_("All statuses")), *ProblemStatus.choices])
    severity = forms.ChoiceField(label=_("severity"), required=False, choices=[*_all(_("All severities")), *Severity.choices])
    kind = forms.ChoiceField(label=_("type"), required=False, choices=[*_all(_("All types")), *Kind.choices])
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    year = forms.IntegerField(label=_("year"), required=False, min_value=2000, max_value=2100)

    def __init__(self, *args, units, dimensions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["dimension"].queryset = dimensions
        several = dimensions.order_by().values("standard_id").distinct().count() > 1
        self.fields["dimension"].label_from_instance = (
            (lambda node: f"{node.title}（{node.standard}）") if several else (lambda node: node.title)
        )

    def filters(self):
        """Keyword arguments for ``ledger.filter_problems``."""
        if not self.is_valid():
            return {}
        return dict(self.cleaned_data)


def dimension_choices(standards):
    """The dimensions of the given (visible, published) standards, for the filter."""
    return Node.objects.filter(level=Level.DIMENSION, standard__in=standards, standard__status=StandardStatus.PUBLISHED).select_related(
        "standard"
    ).order_by("standard__unit__path", "-standard__version", "position", "id")


def tree_choices(standards):
    """(node id, indented label) for every dimension, indicator and item of ``standards``, in tree order."""
    nodes = list(Node.objects.filter(standard__in=standards).select_related("standard").order_by("standard", "level", "position", "id"))
    children = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)
    several = len({node.standard_id for node in nodes}) > 1
    choices = []

    def walk(node):
        indent = "\u3000" * (node.level - 1)
        suffix = f"（{node.standard}）" if several and node.level == Level.DIMENSION else ""
        choices.append((node.pk, f"{indent}{node.number} {node.title[:60]}{suffix}"))
        for child in children.get(node.pk, []):
            walk(child)

    for root in children.get(None, []):
        walk(root)
    return choices


class ProblemForm(BootstrapMixin, forms.Form):
    """Register a problem (phone-friendly: one column, every field full width)."""

    unit = UnitChoiceField(label=_("unit"), queryset=None, help_text=_("The unit where the problem was found."))
    title = forms.CharField(label=_("problem"), max_length=200)
    description = forms.CharField(label=_("how it shows"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    source = forms.ChoiceField(label=_("source"), choices=[("", "---------"), *Source.choices])
    severity = forms.ChoiceField(label=_("severity"), choices=Severity.choices, initial=Severity.GENERAL)
    kind = forms.ChoiceField(label=_("type"), choices=Kind.choices, initial=Kind.BY_DEADLINE)
    found_on = forms.DateField(label=_("date found"), widget=DateInput())
    node = forms.ModelChoiceField(label=_("part of the standard"), required=False, queryset=None)
    unnamed = forms.BooleanField(
        label=_("Raise it without my name"), required=False,
        help_text=_(
            "Pages and the ledger name no one as having raised it; like every entry, its registration stays in "
            "the audit trail. To leave no trace at all, use the suggestion box anonymously."
        ),
    )

    def __init__(self, *args, units, standards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["node"].queryset = Node.objects.filter(standard__in=standards).select_related("standard__unit")
        self.fields["node"].choices = [("", "---------"), *tree_choices(standards)]
        for field in self.fields.values():
            if not isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs["class"] += f" {field.widget.attrs['class']}-lg"

    def clean(self):
        data = super().clean()
        unit, node = data.get("unit"), data.get("node")
        if unit is not None and node is not None and not unit.path.startswith(node.standard.unit.path):
            self.add_error("node", _("This part of the standard does not apply to the unit."))
        return data


class AnalyseForm(BootstrapMixin, forms.Form):
    root_cause = forms.CharField(label=_("root-cause analysis"), widget=forms.Textarea(attrs={"rows": 5}))


def _people(condition):
    people = get_user_model().objects.filter(condition, is_active=True).distinct()
    return people.select_related("unit").order_by("unit__path", "real_name")


LEADING_ROLES = (Role.LEADER, Role.DEPARTMENT_HEAD)


class MeasureForm(BootstrapMixin, forms.Form):
    text = forms.CharField(label=_("rectification measure"), widget=forms.Textarea(attrs=TEXT))
    leader = PersonChoiceField(label=_("responsible leader"), required=False, queryset=None)
    unit = UnitChoiceField(label=_("responsible unit"), queryset=None)
    person = PersonChoiceField(
        label=_("responsible person"), required=False, queryset=None, help_text=_("A person of the responsible unit."),
    )
    deadline = forms.DateField(
        label=_("deadline"), required=False, widget=DateInput(), help_text=_("Only ongoing rectification may go without one."),
    )
    expected_result = forms.CharField(label=_("expected result"), required=False, widget=forms.Textarea(attrs=TEXT))

    def __init__(self, *args, problem, units, **kwargs):
        super().__init__(*args, **kwargs)
        unit = problem.unit
        self.fields["unit"].queryset = units
        # A leader leads the unit, a unit above it or one below it; the person works inside it.
        above = unit.ancestor_paths()
        leads = Q(grants__role__in=LEADING_ROLES) & (Q(grants__unit__path__in=above) | Q(grants__unit__path__startswith=unit.path))
        self.fields["leader"].queryset = _people(leads | Q(unit__path__startswith=unit.path))
        self.fields["person"].queryset = _people(Q(unit__path__startswith=unit.path))


class ProgressForm(BootstrapMixin, forms.Form):
    text = forms.CharField(label=_("progress"), widget=forms.Textarea(attrs=TEXT))
    done = forms.BooleanField(label=_("The measure is done"), required=False)


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("reason for sending back"), widget=forms.Textarea(attrs=TEXT))


class DashboardFilterForm(BootstrapMixin, forms.Form):
    unit = UnitChoiceField(label=_("unit"), required=False, queryset=None, empty_label=_("All units"))
    year = forms.IntegerField(label=_("year"), required=False, min_value=2000, max_value=2100)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
