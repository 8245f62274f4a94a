"""Date pickers show the stored date: browsers read only ISO values, whatever the display language."""

import datetime

from django import forms

from core.forms import DateInput, DateTimeLocalInput


class Dates(forms.Form):
    day = forms.DateField(widget=DateInput())
    moment = forms.DateTimeField(widget=DateTimeLocalInput())


def test_initial_dates_render_as_iso_values():
    html = str(Dates(initial={"day": datetime.date(2026, 11, 23), "moment": datetime.datetime(2026, 11, 23, 9, 5)}))
    assert 'type="date"' in html and 'value="2026-11-23"' in html
    assert 'type="datetime-local"' in html and 'value="2026-11-23T09:05"' in html
