"""Login links: the marketplace asks for a one-time, short-lived link that signs one of its
users in and lands them on their case (or their home page). Only the token's SHA-256 is kept;
a link works once, until it expires (settings.PARLEY_LOGIN_LINK_MINUTES), and both its issue
and its use are logged."""

import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import ActionRefused
from disputes.models import Dispute

from ..models import Integration, LoginLink, RefKind
from .refs import NotFound, owned_ids, required_id

logger = logging.getLogger(__name__)


class LinkUnusable(ActionRefused):
    """The link was used already, has expired, or never existed."""


def _landing(integration: Integration, user: User, case: str) -> str:
    if not case:
        return reverse("home")
    dispute = (
        Dispute.objects.filter(reference=case, order_id__in=owned_ids(integration, RefKind.ORDER))
        .select_related("order__store")
        .first()
    )
    if dispute is None or user.pk not in (dispute.order.buyer_id, dispute.order.store.owner_id):
        raise NotFound(f"No case “{case}” of this user.")
    return reverse("disputes:detail", kwargs={"dispute_ref": dispute.reference})


@transaction.atomic
def login_link_issue(
    integration: Integration, *, user: str, case: str = "", now: datetime | None = None
) -> tuple[LoginLink, str]:
    """A new link for the integration's user (external id); returns it and its clear token."""
    now = now or timezone.now()
    person = User.objects.get(pk=required_id(integration, RefKind.USER, user))
    token = secrets.token_urlsafe(32)
    link = LoginLink.objects.create(
        integration=integration,
        user=person,
        digest=LoginLink.digest_of(token),
        next_path=_landing(integration, person, case),
        created_at=now,
        expires_at=now + timedelta(minutes=settings.PARLEY_LOGIN_LINK_MINUTES),
    )
    logger.info("login link %s issued for user %s by %s", link.pk, person.pk, integration)
    return link, token


def login_link_url(token: str) -> str:
    return settings.PARLEY_SITE_URL + reverse("integration:login_link", kwargs={"token": token})


def login_link_find(token: str, now: datetime | None = None) -> LoginLink:
    """The link a token names, if it can still be used (for the confirm page)."""
    link = _usable(
        LoginLink.objects.select_related("user", "integration"), token, now or timezone.now()
    )
    return link


@transaction.atomic
def login_link_use(token: str, now: datetime | None = None) -> LoginLink:
    """Use the link: once, before it expires. The caller signs `link.user` in."""
    now = now or timezone.now()
    link = _usable(
        LoginLink.objects.select_for_update(of=("self",)).select_related("user", "integration"),
        token,
        now,
    )
    link.used_at = now
    link.save(update_fields=["used_at"])
    logger.info("login link %s used by user %s", link.pk, link.user_id)
    return link


def _usable(links: models.QuerySet[LoginLink], token: str, now: datetime) -> LoginLink:
    found = links.select_related("user", "integration")
    link = found.filter(digest=LoginLink.digest_of(token[:200])).first()
    if link is None or not link.user.is_active or link.integration.is_active is False:
        raise LinkUnusable(_("This sign-in link is not valid."))
    if link.used_at is not None:
        logger.warning("login link %s used again", link.pk)
        raise LinkUnusable(
            _("This sign-in link was already used: ask the marketplace for a new one.")
        )
    if now >= link.expires_at:
        logger.warning("login link %s used after it expired", link.pk)
        raise LinkUnusable(_("This sign-in link has expired: ask the marketplace for a new one."))
    return link
