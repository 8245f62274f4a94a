"""Issues an API token for a person, for an integration that calls /api/v1/.

The token is printed once: knox keeps only its hash, so a lost token is replaced, not recovered.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.models import AuthToken

from accounts.models import User
from core.context import Actor, acting_as
from core.events import log_event


class Command(BaseCommand):
    help = "Issues an API token for a user and prints it once (only its hash is stored)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--days", type=int, default=None, help="Days until the token expires (default: never).")

    def handle(self, username, days, **options):
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            raise CommandError(_("No user is named %(username)s.") % {"username": username})
        if not user.is_active:
            raise CommandError(_("The account %(username)s is disabled; it cannot get a token.") % {"username": user.username})
        if days is not None and days < 1:
            raise CommandError(_("--days must be at least 1."))
        expiry = timedelta(days=days) if days is not None else None
        with acting_as(Actor(source="command")):
            instance, token = AuthToken.objects.create(user, expiry=expiry)
            until = timezone.localtime(instance.expiry).strftime("%Y-%m-%d %H:%M") if instance.expiry else _("never")
            # The key prefix names the token for a later revocation; it cannot authenticate.
            log_event(
                "token_issued",
                instance=user,
                summary=_("API token %(key)s issued, expires %(until)s") % {"key": instance.token_key, "until": until},
            )
        # The token alone goes to stdout so scripts can capture it; the note goes to stderr.
        self.stdout.write(token)
        self.stderr.write(
            _("Token for %(username)s, expires %(until)s. It will not be shown again.")
            % {"username": user.username, "until": until}
        )
