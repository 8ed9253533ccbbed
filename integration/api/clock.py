"""POST /cases/{reference}/test_clock/advance: a sandbox's test clock through the API
(disputes.services.sandbox), so that an integrator's own tests can watch a whole case in
seconds, with the same webhooks as production. Only in a sandbox deployment (PARLEY_SANDBOX);
elsewhere a 403 `sandbox_only`. A write key; another integration's case is a 404."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest, JsonResponse
from ninja import Router, Schema
from pydantic import Field

from disputes import services as disputes
from disputes.services import Advance, Reach

from .. import selectors
from ..services.idempotency import Answer
from .auth import caller
from .case_schemas import CaseDetail
from .cases import case_detail
from .idempotent import IDEMPOTENCY_KEY, idempotent
from .openapi import ProblemOut

router = Router(tags=["sandbox"])


class AdvanceIn(Schema):
    to: Reach = Field(
        description="`next_deadline`: the case's next pending clock falls due now and acts. "
        "`end`: the same, again and again, until no clock is pending."
    )


class FiredOut(Schema):
    clock: str = Field(description="The deadline's kind.", examples=["seller_answer"])
    was_due_at: datetime = Field(description="When it was due before it was moved to now.")
    happened: list[str] = Field(description="What it did, in words (none if it no longer applied).")


class AdvancedCase(CaseDetail):
    fired: list[FiredOut] = Field(
        description="Each clock that fell due, in order; empty when none was pending."
    )


def _fired(step: Advance) -> dict[str, Any]:
    return {"clock": step.kind, "was_due_at": step.was_due_at, "happened": step.happened}


@router.post(
    "/cases/{reference}/test_clock/advance",
    response={200: AdvancedCase, 403: ProblemOut, 404: ProblemOut},
    summary="Advance a case's test clock (sandbox only)",
    description="The case's next pending clock falls due now and Parley acts on it exactly as "
    "its engine would (the same rule, notifications and webhooks); the move is on the case's "
    "timeline as `disputes.sandbox.advanced`. Answers with the case as it is then. Outside a "
    "sandbox deployment: 403 `sandbox_only`.",
)
def advance(
    request: HttpRequest,
    reference: str,
    payload: AdvanceIn,
    idempotency_key: str | None = IDEMPOTENCY_KEY,
) -> JsonResponse:
    def act() -> Answer:
        disputes.sandbox_only()  # before looking the case up: nothing is told outside one
        integration = caller(request).integration
        case = selectors.case_for(integration, reference)
        steps = disputes.dispute_advance(dispute=case, by=None, to=payload.to)
        body = case_detail(selectors.case_for(integration, reference))
        out = AdvancedCase.model_validate(body | {"fired": [_fired(step) for step in steps]})
        return 200, out.model_dump(mode="json")

    return idempotent(request, idempotency_key, payload, act)
