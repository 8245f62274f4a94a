"""Links other apps offer next to a scorecard's items (a weakness → "turn into a problem", the
problem made from it and its status).

Assessment never imports those apps: they register a provider here from their ``ready()``.
A provider is ``provider(request, scorecard, items) -> {item_score id: [(label, url), …]}``.
"""

_providers = []


def register(provider):
    if provider not in _providers:
        _providers.append(provider)


def links_for(request, scorecard, items):
    """{item_score id: [(label, url), …]} from every registered provider, in registration order."""
    items = list(items)
    found = {}
    if not items:
        return found
    for provider in _providers:
        for item_id, links in provider(request, scorecard, items).items():
            found.setdefault(item_id, []).extend(links)
    return found
