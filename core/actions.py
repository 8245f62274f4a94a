"""The decorator every business action wears."""

import functools
from dataclasses import replace

from django.db import transaction

from .context import acting_as, current_actor


def business_action(func):
    """Runs the action in one transaction, with its ``actor`` as the one the audit trail names.

    In a web or API request the actor is already known from the request; in a command, a job or a
    test it is known only from the argument, so it is bound here.
    """

    @functools.wraps(func)
    def wrapper(actor, *args, **kwargs):
        with transaction.atomic():
            context = current_actor()
            if actor is not None and context.current_user() is None:
                with acting_as(replace(context, user=actor)):
                    return func(actor, *args, **kwargs)
            return func(actor, *args, **kwargs)

    return wrapper
