from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasefileConfig(AppConfig):
    """A case as it stands, for a chargeback response, a regulator or a court: its content
    (what each audience may read), the JSON with its manifest, the evidence originals as a zip.
    It reads every app below it and the API's schemas, so it sits above the integration."""

    name = "casefile"
    verbose_name = _("Case files")

    def ready(self) -> None:
        # Adds the case file's endpoints to the integration's API; registers the PDF's note words.
        from . import api, pdf_api, ready  # noqa: F401
