"""A marketplace simulator: plays a marketplace against a running Parley.

It sends a seller, a store, a buyer and an order with two lines and its payment; ships the
order (six days ago by default, so the buyer may open a dispute at once); receives Parley's
signed webhooks on a local receiver and verifies each signature with the `standardwebhooks`
library (printing each event's type and per-case sequence); opens a login link for the buyer
and prints it. When the buyer's dispute arrives (`case.created`) it prints what each party may
do and by when (the snapshot's `available_actions`) and a login link for the seller; when a
`refund.created` arrives (the seller accepted, or stayed silent until the clock decided) it
pays it and reports it settled, then waits for `refund.settled`.

    python manage.py create_integration "Simulated market" --webhook-url http://127.0.0.1:8765/hooks
    python examples/marketplace_simulator.py --base-url http://127.0.0.1:8000 \\
        --api-key pk_... --webhook-secret whsec_... --port 8765

Parley must run with PARLEY_WEBHOOKS_ALLOW_PRIVATE=true (the receiver is on a loopback
address, which Parley refuses otherwise), and with its Celery worker (which delivers).
"""

from __future__ import annotations

import argparse
import json
import queue
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

REFUND_CREATED = "refund.created"
REFUND_SETTLED = "refund.settled"
CASE_CREATED = "case.created"
# Shipped this long ago: past the days Parley gives a parcel to arrive before a dispute may
# open (5 in the default policy), so the buyer can open one at once.
SHIPPED_DAYS_AGO = 6


# --- The API -----------------------------------------------------------------------------------


class Api:
    """Calls to Parley's API as one marketplace (a write key); every write idempotent."""

    def __init__(self, base_url: str, api_key: str, client: httpx.Client | None = None) -> None:
        self.base = base_url.rstrip("/") + "/api/v1"
        self.client = client or httpx.Client(timeout=10)
        self.headers = {"Authorization": f"Bearer {api_key}"}

    def post(self, path: str, body: dict[str, Any], *, idempotent: bool = True) -> Any:
        headers = dict(self.headers)
        if idempotent:
            headers["Idempotency-Key"] = str(uuid.uuid4())
        response = self.client.post(self.base + path, json=body, headers=headers)
        if response.status_code >= 400:
            raise ApiError(response.status_code, response.text)
        return response.json()

    def get(self, path: str) -> Any:
        response = self.client.get(self.base + path, headers=self.headers)
        if response.status_code >= 400:
            raise ApiError(response.status_code, response.text)
        return response.json()


class ApiError(Exception):
    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status


@dataclass(frozen=True)
class Shop:
    """The marketplace's own ids for what it sent Parley, and when the order shipped (None:
    now, as Parley receives the parcel)."""

    seller: str
    buyer: str
    store: str
    order: str
    parcel: str
    shipped_at: datetime | None = None

    @classmethod
    def fresh(cls, shipped_days_ago: float = SHIPPED_DAYS_AGO) -> Shop:
        run = uuid.uuid4().hex[:8]
        ago = timedelta(days=shipped_days_ago)
        shipped_at = datetime.now(UTC) - ago if ago else None
        seller, buyer, store, order, parcel = (f"sim-{k}-{run}" for k in ("s", "b", "st", "o", "p"))
        return cls(seller, buyer, store, order, parcel, shipped_at)

    @property
    def placed_at(self) -> datetime:
        """A day before it shipped."""
        return (self.shipped_at or datetime.now(UTC)) - timedelta(days=1)


def send_order(api: Api, shop: Shop) -> dict[str, Any]:
    """A seller, their store, a buyer, and an order with two lines and its payment."""
    api.post("/users", _user(shop.seller, "seller", "Sam"))
    api.post("/stores", {"external_id": shop.store, "name": "Sam's kettles", "owner": shop.seller})
    api.post("/users", _user(shop.buyer, "buyer", "Bo"))
    placed_at = shop.placed_at.isoformat()
    order = {
        "external_id": shop.order,
        "buyer": shop.buyer,
        "store": shop.store,
        "currency": "EUR",
        "lines": [
            {"title": "Blue kettle", "quantity": 1, "unit_price": "30.00"},
            {"title": "Mug", "quantity": 2, "unit_price": "10.00"},
        ],
        "delivery_days": 7,
        "placed_at": placed_at,
        "payment": {
            "amount": "50.00",
            "method": "card",
            "provider_reference": f"ch_{shop.order}",
            "paid_at": placed_at,
        },
    }
    answer: dict[str, Any] = api.post("/orders", order)
    print(f"order {answer['external_id']} is Parley's {answer['reference']} ({answer['state']})")
    return answer


def _user(external_id: str, role: str, name: str) -> dict[str, str]:
    return {
        "external_id": external_id,
        "role": role,
        "email": f"{external_id}@sim.test",
        "name": name,
    }


def ship(api: Api, shop: Shop) -> dict[str, Any]:
    """The seller shipped the whole order in one parcel."""
    parcel = {
        "external_id": shop.parcel,
        "order": shop.order,
        "carrier": "dhl",
        "tracking_number": "SIM" + shop.parcel[-8:].upper(),
    }
    if shop.shipped_at is not None:
        parcel["shipped_at"] = shop.shipped_at.isoformat()
    answer: dict[str, Any] = api.post("/parcels", parcel)
    print(
        f"shipped {shop.order} with {answer['carrier']} {answer['tracking_number']} "
        f"at {answer['shipped_at']}"
    )
    return answer


def open_login_link(api: Api, user: str, case: str = "") -> str:
    """A one-time URL that signs `user` into their Parley page (their case, if named)."""
    body = {"user": user, "case": case} if case else {"user": user}
    link = api.post("/login-links", body, idempotent=False)
    print(f"login link for {user} (works once, until {link['expires_at']}): {link['url']}")
    url: str = link["url"]
    return url


def announce_case(api: Api, shop: Shop, event: dict[str, Any]) -> str:
    """A case opened: what each party may do and by when, and what happens then if nobody
    acts (the snapshot's available actions); and a login link that takes the seller to it."""
    case = event["data"]["case"]
    claimed = "{amount} {currency}".format(**case["claimed_amount"])
    print(f"case {case['reference']} opened: {case['reason']}, {claimed} claimed")
    for party in ("seller", "buyer"):
        acts = [a for a in case[party]["available_actions"] if a["due_by"]]
        if acts:
            names = ", ".join(a["action"] for a in acts)
            print(f"  the {party} may {names} until {acts[0]['due_by']}")
            print(f"    {acts[0]['default_outcome']}")
    print("answer as the seller (or let Parley's clock decide):")
    return open_login_link(api, shop.seller, case["reference"])


def settle(api: Api, refund_id: int, provider_reference: str) -> dict[str, Any]:
    """Report a refund paid by the marketplace's own payment provider."""
    body = {"outcome": "settled", "provider_reference": provider_reference}
    answer: dict[str, Any] = api.post(f"/refunds/{refund_id}/settlement", body)
    print(f"refund {refund_id} reported settled ({provider_reference}): {answer['status']}")
    return answer


# --- The webhook receiver ----------------------------------------------------------------------


@dataclass
class Receiver:
    """An HTTP server on 127.0.0.1 that verifies each delivery's signature (Standard Webhooks),
    answers 400 to a bad one, and keeps each verified event once (by webhook-id)."""

    secret: str
    port: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)
    rejected: int = 0
    arrived: queue.Queue[dict[str, Any]] = field(default_factory=queue.Queue)

    def __post_init__(self) -> None:
        self.hook = Webhook(self.secret)
        self.seen: set[str] = set()
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), _handler(self))
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def accept(self, body: bytes, headers: dict[str, str]) -> bool:
        try:
            event: dict[str, Any] = self.hook.verify(body, headers)
        except WebhookVerificationError:
            with self.lock:
                self.rejected += 1
            print("webhook REFUSED: bad signature", file=sys.stderr)
            return False
        with self.lock:
            if headers.get("webhook-id") in self.seen:
                return True  # at least once: a repeat is acknowledged, not handled again
            self.seen.add(headers.get("webhook-id", ""))
            self.events.append(event)
        case = (event["data"].get("case") or {}).get("reference")
        about = f"case {case}" if case else f"order {event['data']['order']['external_id']}"
        print(f"webhook {event['type']} #{event['sequence']} ({about}) verified")
        self.arrived.put(event)
        return True

    def next(self, timeout: float) -> dict[str, Any]:
        """The next verified event; TimeoutError if none comes in time."""
        try:
            return self.arrived.get(timeout=max(timeout, 0))
        except queue.Empty:
            raise TimeoutError(f"no webhook within {timeout:g} s") from None

    def wait_for(self, kind: str, timeout: float) -> dict[str, Any]:
        """The next verified event of this type (others are skipped); TimeoutError if none."""
        until = time.monotonic() + timeout
        while True:
            try:
                event = self.next(until - time.monotonic())
            except TimeoutError:
                raise TimeoutError(f"no {kind} webhook within {timeout:g} s") from None
            if event["type"] == kind:
                return event

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {name.lower(): value for name, value in self.headers.items()}
            ok = receiver.accept(body, headers)
            self.send_response(204 if ok else 400)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    return Handler


def settle_next_refund(api: Api, receiver: Receiver, timeout: float) -> dict[str, Any]:
    """Wait for refund.created, pay it (a stand-in provider reference), report it settled."""
    return settle_refund(api, receiver.wait_for(REFUND_CREATED, timeout))


def settle_refund(api: Api, event: dict[str, Any]) -> dict[str, Any]:
    refund_id = int(event["data"]["event"]["data"]["refund"])
    return settle(api, refund_id, provider_reference=f"re_sim_{refund_id}")


def play(api: Api, shop: Shop, receiver: Receiver, timeout: float) -> dict[str, Any]:
    """Follow the events: announce the buyer's case, settle its refund (within `timeout`)."""
    until = time.monotonic() + timeout
    while True:
        event = receiver.next(until - time.monotonic())
        if event["type"] == CASE_CREATED:
            announce_case(api, shop, event)
        elif event["type"] == REFUND_CREATED:
            return settle_refund(api, event)


# --- The run -----------------------------------------------------------------------------------


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Play a marketplace against a running Parley: send an order, ship it, "
        "verify Parley's webhooks, open login links, settle the refund Parley decides."
    )
    parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="Parley's address")
    parser.add_argument("--api-key", required=True, help="a write key (pk_…)")
    parser.add_argument("--webhook-secret", required=True, help="the endpoint's secret (whsec_…)")
    parser.add_argument("--port", type=int, default=8765, help="the local receiver's port")
    parser.add_argument(
        "--timeout", type=float, default=900, help="seconds to wait for refund.created"
    )
    parser.add_argument(
        "--shipped-days-ago",
        type=float,
        default=SHIPPED_DAYS_AGO,
        help=f"send the order as shipped this many days ago (default {SHIPPED_DAYS_AGO}: the "
        "buyer may open a dispute at once; 0: shipped now)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    receiver = Receiver(args.webhook_secret, args.port)
    print(f"receiving webhooks at {receiver.url}")
    print("(Parley delivers to this address only with PARLEY_WEBHOOKS_ALLOW_PRIVATE=true;")
    print(" its admin's webhook deliveries say why one was not delivered)")
    api, shop = Api(args.base_url, args.api_key), Shop.fresh(args.shipped_days_ago)
    try:
        send_order(api, shop)
        ship(api, shop)
        print("sign in as the buyer, open the order and a dispute about it:")
        open_login_link(api, shop.buyer)
        print(f"waiting up to {args.timeout:g} s for the dispute and a refund (Ctrl-C stops)…")
        play(api, shop, receiver, args.timeout)
        receiver.wait_for(REFUND_SETTLED, 60)
    except (ApiError, TimeoutError, httpx.HTTPError) as exc:
        print(f"stopped: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        receiver.stop()
    print(json.dumps({"events": [e["type"] for e in receiver.events]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
