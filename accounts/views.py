from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from core.zones import zone_names

from .access import AuthenticatedRequest
from .forms import LanguageSwitchForm, PreferencesForm, SignInForm
from .middleware import browser_zone
from .models import Role, User
from .services import account_first_seen, account_preferences_save

_HOME_BY_ROLE: dict[str, str] = {
    Role.BUYER: "orders:buyer_orders",
    Role.SELLER: "orders:seller_dashboard",
    Role.ARBITER: "arbitration:queue",
}


@login_required
def home(request: AuthenticatedRequest) -> HttpResponseRedirect:
    """Send each role to its own portal after login."""
    return redirect(_HOME_BY_ROLE[request.user.role])


def remember_language(response: HttpResponseBase, language: str) -> None:
    """The language cookie, as Django's own set_language writes it: the language stays after
    signing out, on the sign-in page and for a visitor who never signs in."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]  # "Lax"
    )


class SignInView(LoginView):
    """Django's sign-in; what the person has not chosen yet (language, zone) is taken from
    their browser, and their saved language is written into the language cookie."""

    form_class = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        user = form.get_user()
        assert isinstance(user, User)
        # The hidden field, else the cookie (the same script writes both; see static/js/zone.js).
        zone = form.cleaned_data["time_zone"] or browser_zone(self.request) or ""
        account_first_seen(user=user, time_zone=zone, language=translation.get_language())
        if user.language:
            remember_language(response, user.language)
        return response


@require_POST
def switch_language(request: HttpRequest) -> HttpResponseRedirect:
    """The header's language switch, for anyone: the cookie, and for a signed-in person their
    account too. Back to the page it was on (never to another site)."""
    form = LanguageSwitchForm(request.POST, host=request.get_host(), https=request.is_secure())
    if not form.is_valid():  # only a hand-made request: the switch offers nothing else
        return redirect("home")
    language = form.cleaned_data["language"]
    if isinstance(request.user, User) and request.user.is_authenticated:
        account_preferences_save(user=request.user, language=language)
    response = HttpResponseRedirect(form.cleaned_data["next"] or reverse("home"))
    remember_language(response, language)
    return response


@login_required
def account(request: AuthenticatedRequest) -> HttpResponse:
    """The person's language and time zone, for every role."""
    user, browser = request.user, browser_zone(request)
    if request.method == "POST":
        form = PreferencesForm(request.POST, browser_zone=browser)
        if form.is_valid():
            language = form.cleaned_data["language"]
            zone = form.cleaned_data["time_zone"]
            account_preferences_save(user=user, language=language, time_zone=zone)
            translation.activate(language)  # the confirmation reads in the language just chosen
            messages.success(request, gettext("Your language and time zone are saved."))
            response = redirect("account")
            remember_language(response, language)
            return response
    else:
        # What the pages use now: the saved choice, else what the browser says.
        current = {
            "language": translation.get_language(),
            "time_zone": timezone.get_current_timezone_name(),
        }
        form = PreferencesForm(initial=current, browser_zone=browser)
    context = {"form": form, "zone_names": sorted(zone_names())}
    return render(request, "accounts/account.html", context)
