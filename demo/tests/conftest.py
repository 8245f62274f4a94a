import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """The demo's evidence files go to a scratch folder, never into the repository."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
