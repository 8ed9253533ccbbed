"""The rules in words: one public page per policy version (no sign-in: a buyer can read the
rules before buying, and every case page links to the version it is pinned to)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import Policy
from .words import numbers, rules


def policy_page(request: HttpRequest, version: int | None = None) -> HttpResponse:
    policy = Policy.current() if version is None else get_object_or_404(Policy, version=version)
    newest = Policy.objects.order_by("-version").values_list("version", flat=True).first()
    context = {
        "policy": policy,
        "rules": rules(policy),
        "numbers": numbers(policy),
        "is_current": policy.version == newest,
        "newest": newest,
    }
    return render(request, "policies/policy.html", context)
