from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import AuthenticatedRequest
from core.paging import page_of

from .forms import EmailChoicesForm
from .services import email_choices, email_choices_save, mark_all_read


@login_required
def inbox(request: AuthenticatedRequest) -> HttpResponse:
    """The person's notes, newest first; each says its words in the request's language and
    zone (rendered as the page is, from the note's code and data)."""
    page = page_of(request.user.notifications.all(), request.GET, per_page=30)
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
@require_POST
def read_all(request: AuthenticatedRequest) -> HttpResponseRedirect:
    mark_all_read(user=request.user)
    return redirect("notifications:inbox")


@login_required
def choices(request: AuthenticatedRequest) -> HttpResponse:
    """Which kinds of note the person also wants by email (the inbox shows them all)."""
    user = request.user
    if request.method == "POST":
        form = EmailChoicesForm(request.POST, user=user)
        if form.is_valid():
            email_choices_save(user=user, choices=form.choices())
            messages.success(request, _("Your email choices are saved."))
            return redirect("notifications:choices")
    else:
        form = EmailChoicesForm(initial=email_choices(user), user=user)
    return render(request, "notifications/choices.html", {"form": form})
