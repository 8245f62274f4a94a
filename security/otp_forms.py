from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin


class CodeForm(BootstrapMixin, forms.Form):
    """A six-digit code from the authenticator app (or, at the login step, a recovery code)."""

    code = forms.CharField(label=_("Code"), max_length=32)

    def __init__(self, *args, recovery=False, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        field.widget.attrs.update({"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"})
        if recovery:
            field.label = _("Code from your app, or a recovery code")
        else:
            field.label = _("Six-digit code from your app")
            field.widget.attrs["inputmode"] = "numeric"
