"""The form that opens an inspection visit (迎检)."""

import re

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from accounts.roles import VISIT_CHANGE
from core.forms import BootstrapMixin, DateTimeLocalInput
from organization.models import Unit

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
MAX_MEMBERS = 50
INDENT = "\u3000"  # an ideographic space, as wide as one Chinese character


class UnitChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, unit):
        # Indented by depth so the tree reads in a plain list.
        return INDENT * (unit.depth - 1) + unit.name


def split_login_names(text):
    """'a, b\\nc，d' → ['a', 'b', 'c', 'd'], in order, without repeats."""
    names = [name.strip() for name in re.split(r"[\s,，;；、]+", text or "")]
    return list(dict.fromkeys(name for name in names if name))


class VisitForm(BootstrapMixin, forms.Form):
    granting_unit = forms.ModelChoiceField(
        label=_("Granting unit"), queryset=Unit.objects.none(), help_text=_("The unit whose office grants the access.")
    )
    team_name = forms.CharField(label=_("Inspection team"), max_length=100)
    purpose = forms.CharField(label=_("Purpose"), max_length=200, required=False)
    members = forms.CharField(
        label=_("Members (login names)"),
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("One login name per line, or separated by commas. Ask the team for the login names of their accounts."),
    )
    units = UnitChoiceField(
        label=_("Units inspected"),
        queryset=Unit.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("The team reads the ledger of each chosen unit and of the units under it."),
    )
    valid_from = forms.DateTimeField(label=_("Access from"), widget=DateTimeLocalInput(), input_formats=[DATETIME_LOCAL])
    valid_until = forms.DateTimeField(label=_("Access until"), widget=DateTimeLocalInput(), input_formats=[DATETIME_LOCAL])

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        roots = Unit.objects.filter(path__in=permissions.scope_paths(user, VISIT_CHANGE)).order_by("path")
        self.fields["granting_unit"].queryset = roots
        if len(roots) == 1:
            # Nearly every office grants from one unit: nothing to choose.
            self.fields["granting_unit"].initial = roots[0]
            self.fields["granting_unit"].widget = forms.HiddenInput()
        self.fields["units"].queryset = permissions.restrict(Unit.objects.filter(is_active=True), user, perm=VISIT_CHANGE).order_by("path")

    def clean_members(self):
        names = split_login_names(self.cleaned_data["members"])
        if not names:
            raise forms.ValidationError(_("Add at least one member."), code="required")
        if len(names) > MAX_MEMBERS:
            raise forms.ValidationError(
                _("An inspection team has at most %(count)d members.") % {"count": MAX_MEMBERS}, code="too_many"
            )
        # Only active accounts are found; a disabled one reads exactly like an unknown name, so the
        # form tells nothing about accounts outside the office's scope.
        found = {person.username: person for person in get_user_model().objects.filter(username__in=names, is_active=True)}
        unknown = [name for name in names if name not in found]
        if unknown:
            raise forms.ValidationError(
                [
                    forms.ValidationError(
                        _("No active account with this login name: %(name)s"), code="unknown", params={"name": name}
                    )
                    for name in unknown
                ]
            )
        if self.user.username in found:
            raise forms.ValidationError(_("You cannot join an inspection team you grant."), code="self")
        return [found[name] for name in names]
