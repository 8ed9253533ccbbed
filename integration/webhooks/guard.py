"""Where a webhook may go: never to a private, loopback, link-local or otherwise non-public
address (unless settings.PARLEY_WEBHOOKS_ALLOW_PRIVATE, for local receivers in development and
tests). The host is resolved once and every address checked; the request then goes to the
checked address (Host header and TLS name kept), so a second lookup cannot send it elsewhere."""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings


class Refused(Exception):
    """The destination is not allowed (the message says why)."""


@dataclass(frozen=True)
class Destination:
    url: str  # with the checked address in place of the host name
    host_header: str
    server_name: str  # for TLS (SNI and the certificate's check)


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(url: str) -> Destination:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused(f"not an http(s) URL: {url}")
    host = parts.hostname
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise Refused(f"cannot resolve {host}: {exc}") from exc
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise Refused(f"{host} has no address")
    if not settings.PARLEY_WEBHOOKS_ALLOW_PRIVATE:
        for address in addresses:
            if not _public(address):
                raise Refused(
                    f"{host} resolves to a non-public address ({address}); "
                    "PARLEY_WEBHOOKS_ALLOW_PRIVATE=true allows it in development"
                )
    address = addresses[0]
    literal = f"[{address}]" if ":" in address else address
    netloc = f"{literal}:{port}"
    return Destination(
        url=parts._replace(netloc=netloc).geturl(),
        host_header=parts.netloc.rsplit("@", 1)[-1],
        server_name=host,
    )
