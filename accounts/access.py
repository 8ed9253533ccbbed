"""Role gates for views. Object-level checks live in each app's selectors."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from .models import Role, User

type View = Callable[..., HttpResponseBase]


class AuthenticatedRequest(HttpRequest):
    """For annotations only: a request behind `login_required`, whose user is signed in."""

    user: User


def role_required(role: Role) -> Callable[[View], View]:
    """Let only users of `role` in; everyone else signed in gets 404, as if the page did not exist.

    404 rather than 403 so that a buyer cannot learn which seller or staff URLs exist.
    """

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            allowed = user.is_arbiter if role == Role.ARBITER else user.role == role
            if not allowed:
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


buyer_required = role_required(Role.BUYER)
seller_required = role_required(Role.SELLER)
arbiter_required = role_required(Role.ARBITER)


USERNAME_LIMIT = 150  # the User model's own limit; longer names cannot exist


def attempted_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """The username a login attempt gave, as django-axes records it: cut to what a username can
    be (an attacker's 300 characters would not fit axes' column and ended in a server error)."""
    source = credentials or request.POST
    return str(source.get("username", ""))[:USERNAME_LIMIT]
