"""A marketplace simulator: plays a marketplace against a running Parley.

It sends a seller, a store, a buyer and an order with two lines and its payment; ships the
order; receives Parley's signed webhooks on a local receiver and verifies each signature with
the `standardwebhooks` library (printing each event's type and per-case sequence); opens a
login link for the buyer and prints it; and when a `refund.created` arrives (for example from
the seller's silence on the buyer's dispute) pays it and reports it settled.

The dispute itself is opened by the buyer on Parley's page (through the login link), and the
seller's silence runs on Parley's clock: the simulator only waits for the events.

    python examples/marketplace_simulator.py --base-url http://127.0.0.1:8000 \\
        --api-key pk_... --webhook-secret whsec_... --port 8765

Point the integration's webhook endpoint at http://127.0.0.1:<port>/hooks (a local address:
the Parley server must run with PARLEY_WEBHOOKS_ALLOW_PRIVATE=true).
"""

from __future__ import annotations

import argparse
import json
import queue
import sys
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

REFUND_CREATED = "refund.created"


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
    """The marketplace's own ids for what it sent Parley."""

    seller: str
    buyer: str
    store: str
    order: str
    parcel: str

    @classmethod
    def fresh(cls) -> Shop:
        run = uuid.uuid4().hex[:8]
        return cls(f"sim-s-{run}", f"sim-b-{run}", f"sim-st-{run}", f"sim-o-{run}", f"sim-p-{run}")


def send_order(api: Api, shop: Shop) -> dict[str, Any]:
    """A seller, their store, a buyer, and an order with two lines and its payment."""
    api.post("/users", _user(shop.seller, "seller", "Sam"))
    api.post("/stores", {"external_id": shop.store, "name": "Sam's kettles", "owner": shop.seller})
    api.post("/users", _user(shop.buyer, "buyer", "Bo"))
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
        "payment": {"amount": "50.00", "method": "card", "provider_reference": f"ch_{shop.order}"},
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
    answer: dict[str, Any] = api.post("/parcels", parcel)
    print(f"shipped {shop.order} with {answer['carrier']} {answer['tracking_number']}")
    return answer


def open_login_link(api: Api, user: str, case: str = "") -> str:
    """A one-time URL that signs `user` into their Parley page (their case, if named)."""
    body = {"user": user, "case": case} if case else {"user": user}
    url: str = api.post("/login-links", body, idempotent=False)["url"]
    print(f"login link for {user}: {url}")
    return url


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
        case = (event["data"].get("case") or {}).get("reference", "-")
        print(f"webhook {event['type']} #{event['sequence']} (case {case}) verified")
        self.arrived.put(event)
        return True

    def wait_for(self, kind: str, timeout: float) -> dict[str, Any]:
        """The next verified event of this type (others are skipped); TimeoutError if none."""
        while True:
            try:
                event = self.arrived.get(timeout=timeout)
            except queue.Empty:
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
    event = receiver.wait_for(REFUND_CREATED, timeout)
    refund_id = int(event["data"]["event"]["data"]["refund"])
    return settle(api, refund_id, provider_reference=f"re_sim_{refund_id}")


# --- The run -----------------------------------------------------------------------------------


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Play a marketplace against a running Parley: send an order, ship it, "
        "verify Parley's webhooks, open a login link, settle the refund Parley decides."
    )
    parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="Parley's address")
    parser.add_argument("--api-key", required=True, help="a write key (pk_…)")
    parser.add_argument("--webhook-secret", required=True, help="the endpoint's secret (whsec_…)")
    parser.add_argument("--port", type=int, default=8765, help="the local receiver's port")
    parser.add_argument(
        "--timeout", type=float, default=900, help="seconds to wait for refund.created"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    receiver = Receiver(args.webhook_secret, args.port)
    print(f"receiving webhooks at {receiver.url}")
    api, shop = Api(args.base_url, args.api_key), Shop.fresh()
    try:
        send_order(api, shop)
        ship(api, shop)
        open_login_link(api, shop.buyer)
        print("waiting for the buyer's dispute and a refund (Ctrl-C to stop)…")
        settle_next_refund(api, receiver, args.timeout)
    except (ApiError, TimeoutError) as exc:
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
