from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import AuthenticatedRequest
from core.paging import page_of

from .services import mark_all_read


@login_required
def inbox(request: AuthenticatedRequest) -> HttpResponse:
    page = page_of(request.user.notifications.all(), request.GET, per_page=30)
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
@require_POST
def read_all(request: AuthenticatedRequest) -> HttpResponseRedirect:
    mark_all_read(user=request.user)
    return redirect("notifications:inbox")
