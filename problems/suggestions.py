"""金点子: anyone submits an idea to their unit or a unit above it, openly or anonymously; the office
answers, adopts or declines it; an adopted idea becomes a task or a problem in one step.

An anonymous idea keeps nothing that leads back to its author: no person, only the date, no audit
entry of the submission (the office's handling is audited), and the receipt code is stored only as a
keyed hash. The code is shown once, on the page that answers the submission.
"""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.roles import SUGGESTION_HANDLE, SUGGESTION_SUBMIT
from core.actions import business_action
from core.events import log_event

from .models import Problem, Source, Suggestion, SuggestionStatus

# No 0/O/1/I/L: the code is copied by hand.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12


def receipt_hash(code: str) -> str:
    normalized = "".join(code.split()).replace("-", "").upper()
    return hmac.new(settings.SECRET_KEY.encode(), f"suggestion-receipt:{normalized}".encode(), hashlib.sha256).hexdigest()


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, CODE_LENGTH, 4))


def may_address(actor, unit) -> bool:
    """One's own unit or a unit above it."""
    return actor is not None and actor.unit_id is not None and actor.unit.path.startswith(unit.path)


@transaction.atomic
def submit(actor, *, unit, title, content, anonymous=False):
    """Returns (suggestion, receipt code or None). Deliberately not a ``business_action`` and not
    audited when anonymous: the trail must not name the author."""
    if not (permissions.has_perm(actor, SUGGESTION_SUBMIT, actor.unit) and may_address(actor, unit)):
        raise PermissionDenied
    errors = {}
    title, content = (title or "").strip(), (content or "").strip()
    if not title:
        errors["title"] = _("Give the idea a title.")
    if not content:
        errors["content"] = _("Describe the idea.")
    if errors:
        raise ValidationError(errors)
    code = new_code() if anonymous else None
    suggestion = Suggestion.objects.create(
        unit=unit, title=title, content=content, anonymous=anonymous, author=None if anonymous else actor,
        submitted_on=timezone.localdate(), receipt_hash=receipt_hash(code) if code else "",
    )
    if not anonymous:
        log_event("suggestion.submit", suggestion, summary=title, unit_id=unit.pk)
    return suggestion, code


def follow(code):
    """The idea a receipt code was given for, or None."""
    if not code or not code.strip():
        return None
    return Suggestion.objects.filter(receipt_hash=receipt_hash(code)).select_related("unit").first()


def _require_handler(actor, suggestion):
    permissions.require_actor(actor, SUGGESTION_HANDLE, suggestion)


def _handle(actor, suggestion, status, answer, *, on_board=False, required=True):
    before = {"status": suggestion.status, "answer": suggestion.answer}
    answer = (answer or "").strip()
    if required and not answer:
        raise ValidationError({"answer": _("Write the answer the author will read.")})
    suggestion.status, suggestion.answer, suggestion.on_board = status, answer, bool(on_board)
    suggestion.answered_by, suggestion.answered_on = actor, timezone.localdate()
    suggestion.save()
    log_event(
        f"suggestion.{status}", suggestion, summary=suggestion.title, unit_id=suggestion.unit_id,
        before=before, after={"status": status, "answer": answer},
    )
    return suggestion


@business_action
def answer(actor, suggestion, *, text):
    _require_handler(actor, suggestion)
    if suggestion.status in (SuggestionStatus.ADOPTED, SuggestionStatus.DECLINED):
        raise ValidationError(_("The idea has already been decided."))
    return _handle(actor, suggestion, SuggestionStatus.ANSWERED, text)


@business_action
def decline(actor, suggestion, *, reason):
    _require_handler(actor, suggestion)
    if suggestion.status in (SuggestionStatus.ADOPTED, SuggestionStatus.DECLINED):
        raise ValidationError(_("The idea has already been decided."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the idea is not adopted.")})
    return _handle(actor, suggestion, SuggestionStatus.DECLINED, reason)


@business_action
def adopt(actor, suggestion, *, text, on_board=False):
    _require_handler(actor, suggestion)
    if suggestion.status in (SuggestionStatus.ADOPTED, SuggestionStatus.DECLINED):
        raise ValidationError(_("The idea has already been decided."))
    return _handle(actor, suggestion, SuggestionStatus.ADOPTED, text, on_board=on_board)


def _require_adopted(actor, suggestion):
    _require_handler(actor, suggestion)
    if suggestion.status != SuggestionStatus.ADOPTED:
        raise ValidationError(_("Adopt the idea first."))


@business_action
def to_problem(actor, suggestion, **fields):
    """An adopted idea that points at a shortcoming becomes a problem of the unit it was addressed to."""
    from .actions import register_problem

    _require_adopted(actor, suggestion)
    if Problem.objects.filter(origin_suggestion=suggestion).exists():
        raise ValidationError(_("This idea has already become a problem."))
    fields.setdefault("title", suggestion.title)
    fields.setdefault("description", suggestion.content)
    fields.setdefault("source", Source.STAFF)
    problem = register_problem(actor, unit=suggestion.unit, raised_by=suggestion.author, **fields)
    problem.origin_suggestion = suggestion
    problem.save()
    return problem


@business_action
def to_task(actor, suggestion, *, goal, **task_fields):
    """An adopted idea becomes a task under a goal (through the goals actions and their rules)."""
    from goals import actions as goal_actions

    _require_adopted(actor, suggestion)
    if suggestion.task_id:
        raise ValidationError(_("This idea has already become a task."))
    task_fields.setdefault("title", suggestion.title)
    task = goal_actions.add_task(actor, goal, **task_fields)
    suggestion.task = task
    suggestion.save()
    log_event("suggestion.to_task", suggestion, summary=task.title, unit_id=suggestion.unit_id)
    return task
