from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import BootstrapMixin, DateInput

from . import links
from .models import PeriodPrecision


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class DocumentFields(BootstrapMixin, forms.Form):
    title = forms.CharField(label=pgettext_lazy("document", "Title"), max_length=200, required=False)
    folder = forms.CharField(
        label=_("Folder"),
        max_length=200,
        required=False,
        help_text=_("Levels separated by /, e.g. 政治过硬/理论学习."),
        widget=forms.TextInput(attrs={"list": "folder-list"}),
    )
    period = forms.DateField(label=_("Period"), widget=DateInput(), help_text=_("The date the evidence belongs to (not the upload date)."))
    period_precision = forms.ChoiceField(label=_("Period is a"), choices=PeriodPrecision.choices, initial=PeriodPrecision.DAY)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class UploadForm(DocumentFields):
    files = MultipleFileField(label=_("Files"), help_text=_("PDF, Word, Excel, PowerPoint, WPS, images, plain text or zip archives of these."))

    field_order = ["files", "title", "folder", "period", "period_precision", "description"]


class DocumentForm(DocumentFields):
    title = forms.CharField(label=pgettext_lazy("document", "Title"), max_length=200)


class VersionForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=_("New version"))
    note = forms.CharField(label=_("What changed"), max_length=200, required=False)


class LinkForm(BootstrapMixin, forms.Form):
    """Choose what a document proves among the linkable objects the user may see."""

    target = forms.ChoiceField(label=_("Proves"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._objects = {}
        choices = []
        for label in links.labels():
            linkable = links.get(label)
            queryset = linkable.visible_to(user)[:200]
            group = []
            for obj in queryset:
                key = f"{label}:{obj.pk}"
                self._objects[key] = obj
                group.append((key, str(obj)))
            if group:
                choices.append((linkable.model._meta.verbose_name, group))
        self.fields["target"].choices = choices

    def clean_target(self):
        return self._objects[self.cleaned_data["target"]]
