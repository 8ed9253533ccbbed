"""What every page's frame reads of the deployment."""

from django.conf import settings
from django.http import HttpRequest


def sandbox(request: HttpRequest) -> dict[str, bool]:
    """`sandbox`: the deployment is a sandbox (settings.PARLEY_SANDBOX), so base.html says so."""
    return {"sandbox": settings.PARLEY_SANDBOX}
