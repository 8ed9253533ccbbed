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
