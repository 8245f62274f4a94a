"""The personal workbench (我的工作台) is made of sections that capabilities register.

A section is a callable ``section(request) -> dict | None``; the dict has ``title``, ``template``
and the template's context. Returning None hides the section for this user. Sections show real
data only.
"""

_sections = []


def register(order: int):
    def decorator(func):
        _sections.append((order, func))
        _sections.sort(key=lambda item: item[0])
        return func

    return decorator


def sections_for(request):
    result = []
    for _order, func in _sections:
        section = func(request)
        if section:
            result.append(section)
    return result
