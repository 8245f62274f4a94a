from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin

from .lockout import ADDRESS, USERNAME


class OwnPasswordForm(BootstrapMixin, PasswordChangeForm):
    """The person's current password, then the new one twice (checked by the password policy)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("Current password")
        self.fields["new_password1"].label = _("New password")
        self.fields["new_password2"].label = _("New password again")
        self.fields["old_password"].widget.attrs["autofocus"] = True


class UnlockForm(forms.Form):
    kind = forms.ChoiceField(choices=[(USERNAME, USERNAME), (ADDRESS, ADDRESS)])
    value = forms.CharField(max_length=255)
