"""Problems, their measures and progress updates as targets of evidence: a document proves the fix."""

from accounts.roles import PROBLEM_VIEW
from evidence import links


def register():
    from .models import Measure, MeasureUpdate, Problem

    links.register(Problem, view_perm=PROBLEM_VIEW, unit_of=lambda problem: problem.unit, describe=describe_problem)
    links.register(Measure, view_perm=PROBLEM_VIEW, unit_of=lambda measure: measure.unit, describe=describe_measure)
    links.register(
        MeasureUpdate, view_perm=PROBLEM_VIEW, unit_of=lambda update: update.measure.unit, describe=describe_update
    )


def describe_problem(problem):
    return f"{problem._meta.verbose_name}：{problem.title}"


def describe_measure(measure):
    return f"{measure._meta.verbose_name}：{measure.problem.title} · {measure.text[:40]}"


def describe_update(update):
    return f"{update._meta.verbose_name}：{update.measure.problem.title} · {update.at:%Y-%m-%d}"


def describe(target):
    """How a person names a problem, measure or progress update."""
    from .models import Measure, Problem

    if isinstance(target, Problem):
        return describe_problem(target)
    if isinstance(target, Measure):
        return describe_measure(target)
    return describe_update(target)
