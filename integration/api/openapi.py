"""The API object, and its OpenAPI 3.1 schema made to tell the truth about errors: every
operation documents the problem+json answers any request can get (401 without a valid key,
429 over the key's rate, 422 for input that does not parse), and every 4xx it declares is
served as `application/problem+json` with the Problem shape below."""

from typing import Any

from ninja import NinjaAPI, Schema
from ninja.openapi.schema import OpenAPISchema
from pydantic import Field

from .problems import PROBLEM_TYPE


class FieldError(Schema):
    field: str = Field(description="Where in the request, dotted (`limit`, `lines.0.quantity`).")
    message: str


class ProblemOut(Schema):
    """An error (RFC 9457). `code` is stable: branch on it, not on `detail`'s words."""

    type: str
    title: str
    status: int
    code: str
    detail: str
    errors: list[FieldError] | None = None


# What any operation may answer besides what it declares.
COMMON_PROBLEMS: dict[int, str] = {
    400: "The request body is not JSON, or a cursor this API never handed out.",
    401: "No valid API key (missing, unknown or revoked).",
    422: "The request does not parse: `errors` names each field.",
    429: "Over this key's rate: wait and retry.",
}
# What any write may answer besides: a read key, someone else's object, a refused act.
WRITE_PROBLEMS: dict[int, str] = {
    403: "This API key may only read (`scope_insufficient`).",
    404: "No such object of this integration's (`not_found`).",
    409: "Refused: the act is not possible now, or an Idempotency-Key was reused with another "
    "body (`code` says which).",
}
_REF = "#/components/schemas/ProblemOut"


def _problem_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_TYPE: {"schema": {"$ref": _REF}}}}


def _with_problems(schema: dict[str, Any]) -> None:
    """Every operation: the common problems added, each 4xx served as problem+json."""
    for item in schema.get("paths", {}).values():
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
            problems = COMMON_PROBLEMS | (WRITE_PROBLEMS if method != "get" else {})
            for status, description in problems.items():
                responses.setdefault(str(status), _problem_response(description))
            for status, response in responses.items():
                if str(status).startswith("4"):
                    response["content"] = {PROBLEM_TYPE: {"schema": {"$ref": _REF}}}
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    problem = ProblemOut.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(problem.pop("$defs", {}))
    components["ProblemOut"] = problem


class ParleyAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        _with_problems(schema)
        return schema
