"""Supervision (督办) pages: the ledger with its filters and .xlsx export, a notice with its escalation
chain, and the issue, reply, close and escalate steps over ``goals.supervision``.

Notices out of the user's scope do not exist for them (404); a visible notice that the user may not
act on is refused (403).
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions
from accounts.roles import GOAL_CHANGE, GOAL_VIEW, TASK_REPORT
from core.events import log_event
from core.forms import step, submit
from organization.models import Unit

from . import ledger, scoping, supervision
from .models import SupervisionNotice, SupervisionStatus
from .supervision_forms import EscalateForm, IssueForm, NoticeFilterForm, ReplyForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50


def _require_goal_view(user):
    if not permissions.has_any_scope(user, GOAL_VIEW):
        raise PermissionDenied


def _filtered(request):
    """The notices the user may see, narrowed by the ledger's filters, and the filter form."""
    user = request.user
    units = permissions.visible_units(user, perm=GOAL_VIEW).order_by("path")
    form = NoticeFilterForm(request.GET or None, units=units)
    notices = ledger.filter_notices(scoping.visible_notices(user), **form.filters())
    return ledger.ledger_queryset(notices), form


@login_required
def notice_list(request):
    """督办台账: every notice the user may see, filtered, newest first; overdue ones flagged."""
    _require_goal_view(request.user)
    notices, form = _filtered(request)
    page = Paginator(notices.order_by("-created_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for notice in page:
        notice.number = ledger.notice_number(notice)
        notice.overdue = supervision.is_overdue(notice, today)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "goals/notice_list.html", {
        "page_obj": page, "form": form, "can_issue": permissions.has_any_scope(request.user, GOAL_CHANGE),
        "query": query.urlencode(),
    })


@login_required
def notices_xlsx(request):
    """The ledger as .xlsx, with the same filters as the page."""
    _require_goal_view(request.user)
    notices, form = _filtered(request)
    year = form.filters().get("year")
    title = f"{year}年督办台账" if year else ledger.SHEET_TITLE
    content = ledger.ledger_workbook(notices, title=title)
    log_event("export", object_type="goals.supervisionnotice", summary=_("Supervision ledger exported to .xlsx"))
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"{title}.xlsx")
    return response


def _visible_notice(user, pk):
    related = ("task", "unit", "issuing_unit", "issued_by", "replied_by", "closed_by")
    return get_object_or_404(scoping.visible_notices(user).select_related(*related), pk=pk)


def escalation_chain(notice):
    """The notice's whole chain, first notice first: one query per link, at most one per level."""
    related = ("issued_by", "replied_by", "closed_by")
    chain = [notice]
    while chain[0].escalated_from_id:
        chain.insert(0, SupervisionNotice.objects.select_related(*related).get(pk=chain[0].escalated_from_id))
    while True:
        following = SupervisionNotice.objects.select_related(*related).filter(escalated_from=chain[-1]).first()
        if following is None:
            return chain
        chain.append(following)


@login_required
def notice_detail(request, pk):
    user = request.user
    notice = _visible_notice(user, pk)
    today = timezone.localdate()
    chain = escalation_chain(notice)
    for item in chain:
        item.number = ledger.notice_number(item)
        item.overdue = supervision.is_overdue(item, today)
    is_issuer = permissions.has_perm(user, GOAL_CHANGE, notice.issuing_unit)
    may_escalate = notice.status == SupervisionStatus.REPLIED or notice.overdue
    return render(request, "goals/notice_detail.html", {
        "notice": notice,
        "chain": chain,
        "can_reply": notice.status == SupervisionStatus.OPEN and permissions.has_perm(user, TASK_REPORT, notice),
        "can_close": is_issuer and notice.status in (SupervisionStatus.OPEN, SupervisionStatus.REPLIED),
        "can_escalate": is_issuer and may_escalate and supervision.next_level(notice.level) is not None,
    })


def _pk(value):
    if not (value or "").isdigit():
        raise Http404
    return int(value)


def issuing_units(user, target=None):
    """Units whose office the user may issue a notice from: the units between the user's goal-change
    scope and ``target`` (itself included), or the scope roots when no target is chosen yet."""
    roots = permissions.scope_paths(user, GOAL_CHANGE)
    if target is None:
        paths = roots
    else:
        above = [target.path[:end] for end in range(Unit.steplen, len(target.path) + 1, Unit.steplen)]
        paths = [path for path in above if any(path.startswith(root) for root in roots)]
    return Unit.objects.filter(path__in=paths).order_by("path")


@login_required
def notice_issue(request):
    """Issue a notice on ``?task=<pk>`` (its lead unit is supervised) or ``?unit=<pk>``, or pick the unit."""
    user = request.user
    task = unit = None
    if request.GET.get("task"):
        task = get_object_or_404(
            scoping.visible_tasks(user).select_related("lead_unit", "goal__plan__unit", "parent__lead_unit"),
            pk=_pk(request.GET["task"]),
        )
        target = task.lead_unit
    elif request.GET.get("unit"):
        unit = get_object_or_404(permissions.visible_units(user, perm=GOAL_VIEW), pk=_pk(request.GET["unit"]))
        target = unit
    else:
        target = None
    choices = issuing_units(user, target)
    allowed = list(choices)
    if not allowed:
        raise PermissionDenied
    default = allowed[0]
    if task is not None:
        default = next((item for item in allowed if item.pk == task.issuer_unit.pk), default)
    units = None
    if target is None:
        units = permissions.restrict(Unit.objects.filter(is_active=True), user, perm=GOAL_CHANGE).order_by("path")
    form = IssueForm(request.POST or None, units=units, issuing_units=choices, initial={"issuing_unit": default})

    def perform(data):
        return supervision.issue_notice(
            user, task=task, unit=unit if target is not None else data["unit"], issuing_unit=data["issuing_unit"],
            level=data["level"], reason=data["reason"], reply_due=data["reply_due"],
        )

    done = submit(
        request, form, perform, success=_("Supervision notice issued."), then=lambda notice: notice.get_absolute_url()
    )
    return done or render(request, "goals/notice_form.html", {
        "form": form, "title": _("Issue a supervision notice"), "task": task, "unit": unit, "notice": None,
    })


@login_required
def notice_reply(request, pk):
    """The supervised unit answers the notice."""
    notice = _visible_notice(request.user, pk)
    if not permissions.has_perm(request.user, TASK_REPORT, notice):
        raise PermissionDenied
    form = ReplyForm(request.POST or None)
    done = submit(
        request, form, lambda data: supervision.reply(request.user, notice, text=data["text"]),
        success=_("Reply sent."), then=notice.get_absolute_url(),
    )
    return done or render(request, "goals/notice_form.html", {
        "form": form, "title": _("Reply to the supervision notice"), "notice": notice,
    })


def _issuer_notice(request, pk):
    notice = _visible_notice(request.user, pk)
    if not permissions.has_perm(request.user, GOAL_CHANGE, notice.issuing_unit):
        raise PermissionDenied
    return notice


@login_required
@require_POST
def notice_close(request, pk):
    notice = _issuer_notice(request, pk)
    return step(request, notice, lambda item: supervision.close(request.user, item), _("Notice closed."))


@login_required
def notice_escalate(request, pk):
    """The issuing office escalates to the next level: a new notice with its own reason and reply date."""
    notice = _issuer_notice(request, pk)
    form = EscalateForm(request.POST or None)
    done = submit(
        request, form,
        lambda data: supervision.escalate(request.user, notice, reason=data["reason"], reply_due=data["reply_due"]),
        success=_("Notice escalated."), then=lambda escalated: escalated.get_absolute_url(),
    )
    return done or render(request, "goals/notice_form.html", {
        "form": form, "title": _("Escalate the supervision notice"), "notice": notice,
    })
