"""The case file's Celery task: a big case's PDF, rendered off the request (exports.py)."""

from celery import shared_task

from .exports import RENDER_TASK, export_render


@shared_task(name=RENDER_TASK)
def render_export_task(export_id: int) -> str:
    status = export_render(export_id)
    return str(status or "skipped")
