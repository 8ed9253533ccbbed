"""Role gates for views. Object-level checks live in each app's selectors."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

from .models import Role


def role_required(role: Role) -> Callable:
    """Let only users of `role` in; everyone else signed in gets 404, as if the page did not exist.

    404 rather than 403 so that a buyer cannot learn which seller or staff URLs exist.
    """

    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
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
