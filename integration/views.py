"""The login link's landing page: GET shows a button (link scanners in e-mail only GET), its
POST signs the user in once and sends them to their case or home page. A used, late or
unknown link gets a page that says so, never a sign-in."""

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .services.login_links import LinkUnusable, login_link_find, login_link_use

BACKEND = "django.contrib.auth.backends.ModelBackend"


@never_cache
@require_http_methods(["GET", "POST"])
def login_link(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method != "POST":
            link = login_link_find(token)
            return render(request, "integration/login_link.html", {"link": link})
        link = login_link_use(token)
    except LinkUnusable as refused:
        context = {"message": refused.message}
        return render(request, "integration/login_link_unusable.html", context, status=410)
    login(request, link.user, backend=BACKEND)
    return redirect(link.next_path)
