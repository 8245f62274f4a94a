"""The password policy: validators (installed in AUTH_PASSWORD_VALIDATORS), the history of previous
passwords, expiry and the forced change of an issued password.

Every password set with ``set_password`` and saved passes through
``PasswordHistoryValidator.password_changed`` (Django calls it on save): that is where the
history and the state are written, whoever set the password and wherever. A password set by
someone other than its owner is an issued password: the owner must change it at the next login.
The hashing is Django's PBKDF2-SHA256 with Django's iteration count (Argon2 is not installed).
"""

from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.contrib.auth.password_validation import MinimumLengthValidator as DjangoMinimumLengthValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.context import current_actor
from core.events import log_event

from .models import PasswordHistory, PasswordState

# Why the session must change its password before anything else (kept in the session at login).
CHANGE_SESSION_KEY = "mofan_password_change"
ISSUED = "issued"
EXPIRED = "expired"


def character_classes(password: str) -> int:
    """How many of the four classes (upper case, lower case, digits, symbols) the password uses."""
    return sum(
        (
            any(char.isupper() for char in password),
            any(char.islower() for char in password),
            any(char.isdigit() for char in password),
            any(not char.isalnum() for char in password),
        )
    )


class MinimumLengthValidator(DjangoMinimumLengthValidator):
    """Django's, with a message of our own (Django's Chinese catalogue lacks the current one)."""

    def get_error_message(self):
        return _("The password must have at least %(count)d characters.") % {"count": self.min_length}

    def get_help_text(self):
        return _("Your password must have at least %(count)d characters.") % {"count": self.min_length}


class CharacterClassValidator:
    """At least MOFAN_PASSWORD_MIN_CLASSES of: upper-case letters, lower-case letters, digits, symbols."""

    def __init__(self, min_classes=None):
        self._min_classes = min_classes

    @property
    def min_classes(self):
        return self._min_classes if self._min_classes is not None else settings.MOFAN_PASSWORD_MIN_CLASSES

    def validate(self, password, user=None):
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                _("The password must mix at least %(count)d of: upper-case letters, lower-case letters, digits and symbols.")
                % {"count": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self):
        return _("Your password must mix at least %(count)d of: upper-case letters, lower-case letters, digits and symbols.") % {
            "count": self.min_classes
        }


class LocalCommonPasswordValidator(CommonPasswordValidator):
    """Django's 20,000 common passwords and those common in Chinese offices (and the published demo
    password), in one validator so that a password on both lists is refused with one message."""

    def __init__(self, password_list_path=Path(__file__).resolve().parent / "common_passwords_zh.txt"):
        super().__init__()  # Django's list
        django_list = self.passwords
        super().__init__(password_list_path)
        self.passwords |= django_list

    def get_error_message(self):
        return _("This password is too common.")


class PasswordHistoryValidator:
    """Not one of the last MOFAN_PASSWORD_HISTORY passwords (the current one included)."""

    def validate(self, password, user=None):
        count = settings.MOFAN_PASSWORD_HISTORY
        if not count or user is None or user.pk is None:
            return
        # The current password and the `count` before it: the history keeps the current one too.
        hashes = previous_hashes(user, count + 1)
        if user.has_usable_password() and user.password not in hashes:
            hashes.append(user.password)
        if any(check_password(password, encoded) for encoded in hashes):
            raise ValidationError(
                ngettext(
                    "The password must differ from your last password.",
                    "The password must differ from your last %(count)d passwords.",
                    count,
                )
                % {"count": count},
                code="password_reused",
            )

    def password_changed(self, password, user):
        record_change(user)

    def get_help_text(self):
        return _("Your password cannot be one of your last %(count)d passwords.") % {"count": settings.MOFAN_PASSWORD_HISTORY}


def previous_hashes(user, count) -> list[str]:
    return list(PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[:count])


@transaction.atomic
def record_change(user):
    """Keeps the new hash in the history and restarts the password's age.

    Set by its owner (the acting user is the person) it is chosen; set by anyone else (an
    administrator, an import, a command) it is issued and must be changed at the next login.
    """
    actor = current_actor().current_user()
    by_owner = actor is not None and actor.pk == user.pk
    PasswordHistory.objects.create(user=user, password=user.password)
    keep = settings.MOFAN_PASSWORD_HISTORY + 1  # the current password and the ones before it
    stale = list(PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[keep:])
    if stale:
        PasswordHistory.objects.filter(pk__in=stale).delete()
    PasswordState.objects.update_or_create(user=user, defaults={"changed_at": timezone.now(), "must_change": not by_owner})


def change_reason(user) -> str | None:
    """ISSUED, EXPIRED or None: why ``user`` must choose a new password before anything else.

    An account whose password was set without ``set_password`` (the demo's shared hash, accounts
    from before this policy) starts counting its age at its first login.
    """
    state = PasswordState.objects.filter(user=user).first()
    now = timezone.now()
    if state is None:
        PasswordState.objects.create(user=user, changed_at=now)
        return None
    if state.must_change:
        return ISSUED
    max_age = settings.MOFAN_PASSWORD_MAX_AGE_DAYS
    if max_age and state.changed_at <= now - timedelta(days=max_age):
        return EXPIRED
    return None


def remember_reason(request, user):
    """At login: note in the session whether a password change is owed."""
    reason = change_reason(user)
    if reason:
        request.session[CHANGE_SESSION_KEY] = reason
    else:
        request.session.pop(CHANGE_SESSION_KEY, None)


def change_own_password(request, new_password):
    """The logged-in person sets a new password they chose (already validated by the form).

    Their other sessions end; this one goes on without the forced change.
    """
    from .sessions import end_sessions, follow_new_key

    user = request.user
    user.set_password(new_password)
    user.save()
    old_key = request.session.session_key
    update_session_auth_hash(request, user)  # gives this session a new key
    follow_new_key(old_key, request.session.session_key)
    request.session.pop(CHANGE_SESSION_KEY, None)
    ended = end_sessions(user, keep=request.session.session_key)
    log_event(
        "password_changed",
        instance=user,
        summary=_("Password changed by its owner; %(count)d other sessions ended") % {"count": ended},
    )
    return user
