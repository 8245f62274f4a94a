"""Creates and publishes the default five-excellences standard for a unit; a second run changes nothing."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.context import Actor, acting_as
from organization.models import Unit

from ... import default


class Command(BaseCommand):
    help = "Creates and publishes the default five-excellences standard for the unit with the given code."

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="The code of the owning unit (usually the agency).")

    def handle(self, unit, **options):
        owner = Unit.objects.filter(code__iexact=unit.strip()).first()
        if owner is None:
            raise CommandError(_("No unit has the code %(code)s.") % {"code": unit})
        with acting_as(Actor(source="command")):
            standard = default.load(owner)
        if options["verbosity"] == 0:
            return
        if standard is None:
            self.stdout.write(_("%(unit)s already has the standard %(name)s; nothing changed.") % {"unit": owner.name, "name": default.NAME})
        else:
            self.stdout.write(self.style.SUCCESS(
                _("Published %(standard)s for %(unit)s: %(count)d nodes.")
                % {"standard": standard, "unit": owner.name, "count": standard.nodes.count()}
            ))
