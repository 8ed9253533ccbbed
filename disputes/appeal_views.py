"""The appeal page: either party appeals a ruling once. When the ruling is already under
appeal (the other party was first, or the appeal is decided), the page says so at once and
offers no appeal form; a statement typed meanwhile is kept and offered as a message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.access import AuthenticatedRequest
from core.errors import ActionRefused, StaleState

from . import presenters, selectors, services
from .forms import AppealForm, MessageForm
from .models import Dispute, DisputeState
from .views import _form_page, stale_page


@login_required
def appeal(request: AuthenticatedRequest, dispute_ref: str) -> HttpResponse:
    dispute = selectors.dispute_for_party(request.user, dispute_ref)
    form = AppealForm(request.POST or None, request.FILES or None, dispute=dispute)
    if dispute.appealed_at is not None:
        return _already_appealed(request, dispute, form)
    if request.method == "POST" and form.is_valid():
        try:
            services.dispute_appeal(
                dispute=dispute,
                actor=request.user,
                statement=form.cleaned_data["statement"],
                photos=form.cleaned_data["photos"],
            )
        except StaleState as exc:
            dispute.refresh_from_db()
            if dispute.appealed_at is not None:  # the other party appealed a moment earlier
                return _already_appealed(request, dispute, form)
            return stale_page(request, dispute, exc)
        except ActionRefused as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("Appeal filed. Another arbiter will decide, and that is final.")
            )
            return redirect("disputes:detail", dispute_ref=dispute.reference)
    return _form_page(
        request,
        dispute,
        form,
        title=_("Appeal the ruling"),
        submit=_("File appeal"),
        intro=_appeal_intro(dispute.policy.appeal_days),
    )


def _appeal_intro(days: int) -> str:
    words = ngettext(
        "You can appeal once, within %(days)d day of the ruling.",
        "You can appeal once, within %(days)d days of the ruling.",
        days,
    )
    return words % {"days": days}


def _already_appealed(
    request: AuthenticatedRequest, dispute: Dispute, form: AppealForm
) -> HttpResponse:
    """A ruling is appealed once: say who appealed and when, with no form to fill in vain.
    A statement sent meanwhile is not lost: it is shown in a message to the case (409)."""
    typed = form.data.get("statement", "").strip() if form.is_bound else ""
    can_message = "message" in selectors.dispute_actions(dispute, request.user)
    appellant = dispute.appealed_by
    context = {
        "dispute": dispute,
        "by_you": appellant is not None and appellant.pk == request.user.pk,
        "by_party": presenters.viewer_party(dispute, appellant) if appellant else "",
        "deciding": dispute.state == DisputeState.APPEALED,
        "typed": typed,
        "message_form": MessageForm(initial={"body": typed}, dispute=dispute)
        if typed and can_message
        else None,
    }
    status = 409 if form.is_bound else 200
    return render(request, "disputes/appeal_taken.html", context, status=status)
