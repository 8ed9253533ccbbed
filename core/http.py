"""Who is asking: the client's address as the trusted proxies in front of Parley report it."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's IP address. Behind N trusted proxies, each appends the address it received
    the request from to X-Forwarded-For, so the client is the N-th entry from the right;
    whatever a client writes into the header itself sits further left and is never read.
    With no trusted proxy (or a header too short to have passed them all) it is REMOTE_ADDR."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.PARLEY_TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return remote
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
