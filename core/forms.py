from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect


class DateInput(forms.DateInput):
    """A browser date picker: it reads only ISO dates, whatever the language's display format."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class BootstrapMixin:
    """Gives every widget its Bootstrap class."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)


def add_validation_errors(form, error):
    """Shows an action's ValidationError on the form: field errors by field, the rest on top."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def submit(request, form, perform, *, success, then):
    """The POST half of a form page: run the action, show its ValidationError on the form, or flash
    ``success`` and redirect to ``then``. Both may be callables of the action's result.

    Returns the redirect, or None when the page should be shown (again).
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = perform(form.cleaned_data)
    except ValidationError as error:
        add_validation_errors(form, error)
        return None
    messages.success(request, success(result) if callable(success) else success)
    return redirect(then(result) if callable(then) else then)


def step(request, obj, perform, success):
    """A button's transition on ``obj``: runs ``perform(obj)``, tells the user how it went (every
    refusal in its own words), and goes back to the object's page."""
    try:
        perform(obj)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect(obj.get_absolute_url())
