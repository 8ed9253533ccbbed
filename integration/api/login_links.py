"""Login links: the marketplace sends its user straight to their Parley page, no second
password. The link works once, for PARLEY_LOGIN_LINK_MINUTES; opening it shows a page whose
button signs in (so an e-mail's link scanner cannot use it up)."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from ..services import login_links
from .auth import writer

router = Router(tags=["login links"])


class LoginLinkIn(Schema):
    user: str = Field(min_length=1, max_length=120, description="The user's external id.")
    case: str = Field("", max_length=20, description="A case reference to land on (optional).")


class LoginLinkOut(Schema):
    url: str
    expires_at: datetime


@router.post(
    "/login-links",
    response={201: LoginLinkOut},
    summary="Open a one-time login link",
    description="Not kept under an Idempotency-Key (the link would be stored in clear): a "
    "retry makes another link, and each works once.",
)
def post_login_link(request: HttpRequest, payload: LoginLinkIn) -> Status:
    link, token = login_links.login_link_issue(
        writer(request).integration, user=payload.user, case=payload.case
    )
    out = LoginLinkOut(url=login_links.login_link_url(token), expires_at=link.expires_at)
    return Status(201, out)
