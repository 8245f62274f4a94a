"""Background jobs of the evidence app (django-tasks: in-process by default, `manage.py db_worker` at scale)."""

from django_tasks import task

from . import export


@task()
def build_ledger_export(export_id: int):
    """Builds the archive of a LedgerExport; progress and outcome are kept on the row itself."""
    result = export.run_export(export_id)
    return result.status if result is not None else None


def enqueue_export(ledger_export):
    """Hands the export to the task backend. Call it after the row is committed: a separate worker
    must be able to read it (with the default immediate backend it runs right here)."""
    build_ledger_export.enqueue(ledger_export.pk)
