from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin, DateInput

from .models import LeadingGroupTitle, Unit, UnitKind


class UnitForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    short_name = forms.CharField(label=_("Short name"), max_length=40, required=False)
    code = forms.CharField(label=_("Code"), max_length=40, help_text=Unit._meta.get_field("code").help_text)
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices)


class MoveForm(BootstrapMixin, forms.Form):
    new_parent = forms.ModelChoiceField(label=_("New parent unit"), queryset=Unit.objects.none())

    def __init__(self, *args, parents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].queryset = parents if parents is not None else Unit.objects.none()
        self.fields["new_parent"].label_from_instance = lambda unit: f"{'　' * (unit.depth - 1)}{unit.name}（{unit.code}）"


class LeadingGroupForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    established_on = forms.DateField(label=_("Established on"), required=False, widget=DateInput())
    office_duties = forms.CharField(label=_("Office duties"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class LeadingGroupMemberForm(BootstrapMixin, forms.Form):
    person = forms.ModelChoiceField(label=_("Person"), queryset=None)
    title = forms.ChoiceField(label=_("Title"), choices=LeadingGroupTitle.choices)
    duty = forms.CharField(label=_("Duty"), max_length=200, required=False)

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda person: f"{person.real_name}（{person.unit.display_name if person.unit else ''} {person.position}）"
