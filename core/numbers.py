"""Reading numbers typed by users, with the same Chinese messages everywhere."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def bounded_decimal(value, field, *, low=Decimal("0"), high=Decimal("10000")) -> Decimal:
    """``value`` as a Decimal from ``low`` to ``high``, or a ValidationError on ``field``."""
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError({field: _("Enter a number.")}) from None
    if not number.is_finite() or not (low <= number <= high):
        raise ValidationError({field: _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high}})
    return number
