"""Connect a marketplace from the command line: the integration (made if new), an API key,
and optionally a webhook endpoint, printing the key and the endpoint's signing secret once.
What staff do in the admin, in one line (the marketplace simulator's set-up, README)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import URLValidator
from django.db import transaction

from integration.models import Integration, Scope
from integration.services.keys import key_issue
from integration.webhooks.services import BadEventTypes, check_event_types, endpoint_create


class Command(BaseCommand):
    help = (
        "Create an integration (a marketplace) if it does not exist, issue it an API key and, "
        "with --webhook-url, add a webhook endpoint. The key and the secret are shown once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="the marketplace's name (an existing one is reused)")
        parser.add_argument(
            "--scope", choices=[Scope.READ, Scope.WRITE], default=Scope.WRITE, help="the key's"
        )
        parser.add_argument("--webhook-url", help="where Parley posts its signed events")
        parser.add_argument(
            "--events",
            nargs="*",
            default=[],
            help='the event types the endpoint wants, e.g. case.created "refund.*" (default: all)',
        )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        url, events = options["webhook_url"], options["events"]
        try:
            if url:
                URLValidator(schemes=["http", "https"])(url)
            check_event_types(events)
        except ValidationError as exc:
            raise CommandError(f"Not an http(s) URL: {url}") from exc
        except BadEventTypes as exc:
            raise CommandError(str(exc)) from exc
        integration, created = Integration.objects.get_or_create(name=options["name"])
        said = "created" if created else "exists"
        self.stdout.write(f"Integration “{integration.name}” {said} (id {integration.pk}).")
        key = key_issue(integration, scope=options["scope"], staff=None, name="command line")
        self.stdout.write(f"API key ({options['scope']}), shown once: {key}")
        if url:
            endpoint = endpoint_create(integration, url=url, event_types=events)
            wanted = ", ".join(endpoint.event_types) or "every event type"
            self.stdout.write(f"Webhook endpoint {endpoint.url} ({wanted}).")
            self.stdout.write(f"Its signing secret, shown once: {endpoint.secret}")
