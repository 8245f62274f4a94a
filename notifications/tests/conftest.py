import pytest

from notifications import reminders

from . import receiver as local_receiver


@pytest.fixture
def receiver(settings):
    running = local_receiver.start(settings)
    yield running
    running.close()


@pytest.fixture
def collectors(monkeypatch):
    """An empty reminder registry for the test to fill: the installed apps' collectors stay out."""
    monkeypatch.setattr(reminders, "_collectors", {})
    monkeypatch.setattr(reminders, "_categories", {})
    return reminders
