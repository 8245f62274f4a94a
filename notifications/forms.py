from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin

from .models import RobotKind


class RobotForm(BootstrapMixin, forms.Form):
    """A group robot. The webhook URL and secret are never shown again once saved: on an existing
    robot they are left blank to keep the stored ones."""

    kind = forms.ChoiceField(label=_("kind"), choices=RobotKind.choices)
    name = forms.CharField(label=_("name"), max_length=100)
    webhook_url = forms.CharField(
        label=_("webhook URL"), max_length=500, required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=_("Copied from the robot's settings in the chat group."),
    )
    secret = forms.CharField(
        label=_("signing secret"), max_length=200, required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=_("DingTalk robots with the signing security setting (加签) only."),
    )

    def __init__(self, *args, units=None, robot=None, **kwargs):
        super().__init__(*args, **kwargs)
        if robot is None:
            self.fields["unit"] = forms.ModelChoiceField(label=_("unit"), queryset=units)
            self.order_fields(["unit"])
            self.fields["unit"].widget.attrs["class"] = "form-select"
            self.fields["webhook_url"].required = True
        else:
            self.fields["webhook_url"].help_text = _("Stored: %(url)s. Leave blank to keep it.") % {"url": robot.masked_url}
            if robot.secret:
                self.fields["secret"].help_text = _("A secret is stored. Leave blank to keep it.")
                self.fields["clear_secret"] = forms.BooleanField(label=_("Remove the signing secret"), required=False)
                self.fields["clear_secret"].widget.attrs["class"] = "form-check-input"
            self.fields["active"] = forms.BooleanField(label=_("active"), required=False)
            self.fields["active"].widget.attrs["class"] = "form-check-input"
