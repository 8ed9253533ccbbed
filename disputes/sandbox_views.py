"""A sandbox's test clock on the case pages (disputes.services.sandbox): the buyer's and the
seller's page here, the arbiter's through `advance_then` (arbitration.sandbox_views).

Outside a sandbox the panel is not shown and a POST answers 403 with the reason; another
party's case is a 404 before anything else is said."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import AuthenticatedRequest
from core.errors import ActionRefused, SandboxOnly

from . import presenters, selectors, services
from .models import Dispute


class TestClockForm(forms.Form):
    """Which of the panel's two buttons was pressed. (Here, not in forms.py: it is one field
    of this page alone, and forms.py is at its size limit.)"""

    to = forms.TypedChoiceField(
        choices=[
            (services.Reach.NEXT_DEADLINE.value, gettext_lazy("Advance to the next deadline")),
            (services.Reach.END.value, gettext_lazy("Advance to the end")),
        ],
        coerce=services.Reach,
    )


def refused_outside_a_sandbox(request: AuthenticatedRequest, refused: SandboxOnly) -> HttpResponse:
    return render(request, "disputes/sandbox_only.html", {"reason": refused.message}, status=403)


def advance_then(request: AuthenticatedRequest, dispute: Dispute, back: str) -> HttpResponse:
    """Move the case's test clock as the POSTed form asks, then back to `back` with what
    happened (or why not)."""
    form = TestClockForm(request.POST)
    try:
        services.sandbox_only()
        if not form.is_valid():
            raise ActionRefused(_("Choose how far to move the test clock."))
        steps = services.dispute_advance(
            dispute=dispute, by=request.user, to=form.cleaned_data["to"]
        )
    except SandboxOnly as refused:
        return refused_outside_a_sandbox(request, refused)
    except ActionRefused as refused:  # StaleState included: the page shows the case as it is
        messages.error(request, refused.message)
    else:
        words = presenters.advance_words(steps)
        (messages.success if steps else messages.info)(request, words)
    return redirect(back)


@login_required
@require_POST
def test_clock(request: AuthenticatedRequest, dispute_ref: str) -> HttpResponse:
    dispute = selectors.dispute_for_party(request.user, dispute_ref)
    return advance_then(request, dispute, reverse("disputes:detail", args=[dispute.reference]))
