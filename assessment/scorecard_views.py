"""A scorecard's pages: self-assessment item by item (htmx), review side by side, results and appeals."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions
from accounts.roles import SCORECARD_FILL, SCORECARD_VIEW
from core.forms import step

from . import actions, item_actions, publication, sheet
from .forms import AppealAnswerForm, ReasonForm
from .models import EDITABLE_STATUSES, Appeal, AppealStatus, ItemScore, Result, RoundStatus, Scorecard, ScorecardStatus


def visible_scorecard(user, pk):
    queryset = Scorecard.objects.select_related("round__standard", "round__unit", "unit")
    return permissions.get_visible_or_404(queryset, user, pk=pk)


def _visible_item(user, pk):
    queryset = ItemScore.objects.select_related("scorecard__round__standard", "scorecard__unit", "node")
    item = permissions.restrict(queryset, user, perm=SCORECARD_VIEW).filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


def mode_of(user, scorecard):
    """What the user does on this scorecard now: fill it in, review it, or read it."""
    if (
        scorecard.status in EDITABLE_STATUSES
        and scorecard.round.status == RoundStatus.OPEN
        and permissions.has_perm(user, SCORECARD_FILL, scorecard)
    ):
        return "fill"
    if scorecard.status == ScorecardStatus.SUBMITTED and actions.can_review(user, scorecard):
        return "review"
    return "read"


@login_required
def scorecard(request, pk):
    user = request.user
    card = visible_scorecard(user, pk)
    mode = mode_of(user, card)
    layout = sheet.build(card)
    result = Result.objects.filter(round=card.round, unit=card.unit).select_related("grade").first()
    appeals = list(card.appeals.select_related("filed_by", "answered_by"))
    can_fill = permissions.has_perm(user, SCORECARD_FILL, card)
    reviewer = actions.can_review(user, card)
    deadline = publication.appeal_deadline(card.round)
    can_appeal = (
        can_fill and card.status == ScorecardStatus.PUBLISHED and deadline is not None and timezone.localdate() <= deadline
        and not any(appeal.status == AppealStatus.PENDING for appeal in appeals)
    )
    weaknesses = publication.weaknesses(card) if card.status == ScorecardStatus.PUBLISHED else []
    links = item_actions.links_for(request, card, [item for item, _reasons in weaknesses])
    return render(request, "assessment/scorecard.html", {
        "card": card,
        "round": card.round,
        "sheet": layout,
        "mode": mode,
        "result": result,
        "events": list(card.events.select_related("actor")),
        "appeals": appeals,
        "can_submit": mode == "fill",
        "can_return": reviewer and card.status in (ScorecardStatus.SUBMITTED, ScorecardStatus.REVIEWED),
        "can_complete": mode == "review",
        "can_appeal": can_appeal,
        "can_answer": reviewer,
        "deadline": deadline,
        "reason_form": ReasonForm(),
        "answer_form": AppealAnswerForm(),
        "weaknesses": [(item, reasons, links.get(item.pk, [])) for item, reasons in weaknesses],
    })


def _item_response(request, item, mode, *, error="", saved=False, typed=None):
    card = item.scorecard
    layout = sheet.build(card)
    fresh = layout.items[item.node_id]
    if typed is not None:
        fresh.typed_answer = typed
    return render(request, "assessment/includes/item_saved.html", {
        "item": fresh, "mode": mode, "card": card, "sheet": layout, "error": error, "saved": saved,
    })


def _save_item(request, pk, mode, perform):
    item = _visible_item(request.user, pk)
    error, saved, typed = "", False, None
    answer = sheet.answer_from_form(request.POST, item.node, review=mode == "review")
    try:
        perform(item, answer)
        saved = True
    except ValidationError as exc:
        error = " ".join(exc.messages)
        if getattr(exc, "code", None) == "stale":
            # The other person's change is shown: the user decides again on what is now saved.
            error = _("Not saved: %(message)s") % {"message": error}
        else:
            typed = answer
    if not request.htmx:
        (messages.success(request, _("Saved.")) if saved else messages.error(request, error))
        return redirect(item.scorecard.get_absolute_url())
    return _item_response(request, item, mode, error=error, saved=saved, typed=typed)


@login_required
@require_POST
def save_self(request, pk):
    return _save_item(request, pk, "fill", lambda item, answer: actions.save_self_score(
        request.user, item, answer=answer, note=request.POST.get("note", ""), version=request.POST.get("version"),
    ))


@login_required
@require_POST
def save_review(request, pk):
    return _save_item(request, pk, "review", lambda item, answer: actions.save_review_score(
        request.user, item, answer=answer, note=request.POST.get("note", ""), version=request.POST.get("version"),
    ))


def _transition(request, pk, perform, success):
    return step(request, visible_scorecard(request.user, pk), perform, success)


@login_required
@require_POST
def submit(request, pk):
    return _transition(request, pk, lambda card: actions.submit_scorecard(request.user, card), _("Self-assessment submitted."))


@login_required
@require_POST
def return_card(request, pk):
    return _transition(
        request, pk, lambda card: actions.return_scorecard(request.user, card, reason=request.POST.get("reason", "")),
        _("Scorecard returned to the unit."),
    )


@login_required
@require_POST
def complete(request, pk):
    return _transition(request, pk, lambda card: actions.complete_review(request.user, card), _("Review completed."))


@login_required
@require_POST
def appeal(request, pk):
    return _transition(
        request, pk, lambda card: publication.file_appeal(request.user, card, reason=request.POST.get("reason", "")),
        _("Appeal filed."),
    )


@login_required
@require_POST
def answer_appeal(request, pk):
    queryset = Appeal.objects.select_related("scorecard__round", "scorecard__unit")
    item = permissions.restrict(queryset, request.user, perm=SCORECARD_VIEW).filter(pk=pk).first()
    if item is None:
        raise Http404
    form = AppealAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose accept or reject and write the answer."))
        return redirect(item.scorecard.get_absolute_url())
    if not actions.can_review(request.user, item.scorecard):
        raise PermissionDenied
    return _transition(
        request, item.scorecard_id,
        lambda card: publication.answer_appeal(
            request.user, item, accept=form.cleaned_data["accept"], answer=form.cleaned_data["answer"],
            reopen=form.cleaned_data["reopen"],
        ),
        _("Appeal answered."),
    )
