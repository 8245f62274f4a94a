from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin, DateTimeLocalInput

from .models import PartyStatus
from .roles import Role


class LoginForm(AuthenticationForm):
    """The message never tells whether the username exists."""

    error_messages = {
        "invalid_login": _("Wrong username or password."),
        "inactive": _("Wrong username or password."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username")
        self.fields["password"].label = _("Password")
        self.fields["username"].widget.attrs.update({"class": "form-control", "autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"class": "form-control", "autocomplete": "current-password"})


class PersonForm(BootstrapMixin, forms.Form):
    username = forms.CharField(
        label=_("Username"), max_length=150, required=False, help_text=_("Leave empty to derive it from the name's pinyin.")
    )
    real_name = forms.CharField(label=_("Full name"), max_length=50)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    position = forms.CharField(label=_("Position"), max_length=100, required=False)
    party_status = forms.ChoiceField(label=_("Political status"), choices=PartyStatus.choices)
    party_unit = forms.ModelChoiceField(label=_("Party organization"), queryset=None, required=False)
    phone = forms.CharField(label=_("Mobile phone"), max_length=11, required=False)
    id_number = forms.CharField(
        label=_("ID card number"), max_length=18, required=False, help_text=_("Stored encrypted; shown masked to those without contact access.")
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    sort_order = forms.IntegerField(label=_("Order"), min_value=0, initial=0, required=False)

    def __init__(self, *args, units=None, party_units=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["party_unit"].queryset = party_units
        for name in ("unit", "party_unit"):
            self.fields[name].label_from_instance = _unit_label
        if editing:
            del self.fields["username"]

    def clean_sort_order(self):
        return self.cleaned_data.get("sort_order") or 0


def _unit_label(unit):
    return f"{'　' * (unit.depth - 1)}{unit.name}"


class RosterUploadForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=_("Roster file (.xlsx)"))


class GrantForm(BootstrapMixin, forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    unit = forms.ModelChoiceField(label=_("Scope unit"), queryset=None, help_text=_("The role holds for this unit and every unit under it."))
    valid_from = forms.DateTimeField(label=_("Valid from"), required=False, widget=DateTimeLocalInput())
    valid_until = forms.DateTimeField(label=_("Valid until"), required=False, widget=DateTimeLocalInput())
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = _unit_label
