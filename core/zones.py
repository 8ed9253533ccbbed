"""Time zones people can choose: the IANA names Python's zoneinfo knows."""

from functools import cache
from zoneinfo import available_timezones


@cache
def zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zone_names())]


def is_zone(name: str) -> bool:
    return name in zone_names()
