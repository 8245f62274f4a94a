"""The problems pages, one URL module per area, all under the ``problems`` namespace."""

from . import urls_ideas, urls_problems

app_name = "problems"
urlpatterns = [*urls_problems.urlpatterns, *urls_ideas.urlpatterns]
