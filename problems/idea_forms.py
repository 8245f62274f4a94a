"""Forms of the suggestion box, public feedback and "turn into a problem" pages. They only parse
input; the rules and their Chinese messages live in problems.suggestions, .feedback and .origins."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin, DateInput, DateTimeLocalInput

from .models import Channel, FeedbackStatus, Kind, Severity, SuggestionStatus

TEXT = {"rows": 4}


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit):
        return unit.name


class GoalChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, goal):
        return f"{goal.plan.title} · {goal.title}"


class SuggestionForm(BootstrapMixin, forms.Form):
    """The phone-friendly submission form; the text fields are checked by ``suggestions.submit``."""

    unit = UnitChoiceField(label=_("addressed to"), queryset=None, empty_label=None)
    title = forms.CharField(label=_("title"), max_length=200, required=False)
    content = forms.CharField(label=_("content"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    anonymous = forms.BooleanField(
        label=_("Submit anonymously"), required=False,
        help_text=_("Nothing that leads back to you is kept; you get a receipt code to read the answer."),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class FollowForm(BootstrapMixin, forms.Form):
    code = forms.CharField(
        label=_("receipt code"), max_length=40, widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class AnswerForm(BootstrapMixin, forms.Form):
    text = forms.CharField(label=_("answer"), required=False, widget=forms.Textarea(attrs=TEXT),
                           help_text=_("The author reads this answer."))


class AdoptForm(AnswerForm):
    on_board = forms.BooleanField(label=_("Show on the board"), required=False)


class DeclineForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("reason for not adopting"), required=False, widget=forms.Textarea(attrs=TEXT))


class ProblemFromForm(BootstrapMixin, forms.Form):
    """Confirmation of a new problem made from another record: what it says, how serious, which type."""

    title = forms.CharField(label=_("problem"), max_length=200, required=False)
    description = forms.CharField(label=_("how it shows"), required=False, widget=forms.Textarea(attrs=TEXT))
    severity = forms.ChoiceField(label=_("severity"), choices=Severity.choices, initial=Severity.GENERAL)
    kind = forms.ChoiceField(label=_("type"), choices=Kind.choices, initial=Kind.BY_DEADLINE)


class TaskFromForm(BootstrapMixin, forms.Form):
    goal = GoalChoiceField(label=_("goal"), queryset=None)
    title = forms.CharField(label=_("task"), max_length=200, required=False)
    lead_unit = UnitChoiceField(label=_("lead unit"), queryset=None)
    start_date = forms.DateField(label=_("start date"), widget=DateInput())
    due_date = forms.DateField(label=_("due date"), widget=DateInput())

    def __init__(self, *args, goals, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = goals
        self.fields["lead_unit"].queryset = units


class SuggestionFilterForm(BootstrapMixin, forms.Form):
    """The office list's filters, read from the query string; an invalid value is ignored."""

    status = forms.ChoiceField(label=_("status"), required=False, choices=[("", _("All statuses")), *SuggestionStatus.choices])
    unit = UnitChoiceField(label=_("addressed to"), required=False, queryset=None, empty_label=_("All units"))
    month = forms.DateField(
        label=_("month"), required=False, input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    def filters(self):
        return self.cleaned_data if self.is_valid() else {}


class FeedbackForm(BootstrapMixin, forms.Form):
    """What the office writes down from a call or an online inquiry; checked by ``feedback.record``."""

    channel = forms.ChoiceField(label=_("channel"), choices=Channel.choices)
    received_at = forms.DateTimeField(
        label=_("received at"), required=False, widget=DateTimeLocalInput(), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    contact_name = forms.CharField(label=_("contact"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("contact phone"), max_length=30, required=False)
    content = forms.CharField(label=_("content"), required=False, widget=forms.Textarea(attrs=TEXT))
    unit = UnitChoiceField(label=_("handling unit"), queryset=None)
    reply_due = forms.DateField(label=_("reply due"), required=False, widget=DateInput())

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class FeedbackReplyForm(BootstrapMixin, forms.Form):
    text = forms.CharField(label=_("reply"), required=False, widget=forms.Textarea(attrs={"rows": 6}))


class FeedbackFilterForm(BootstrapMixin, forms.Form):
    channel = forms.ChoiceField(label=_("channel"), required=False, choices=[("", _("All channels")), *Channel.choices])
    status = forms.ChoiceField(label=_("status"), required=False, choices=[("", _("All statuses")), *FeedbackStatus.choices])
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    unit = UnitChoiceField(label=_("handling unit"), required=False, queryset=None, empty_label=_("All units"))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    def filters(self):
        return self.cleaned_data if self.is_valid() else {}
