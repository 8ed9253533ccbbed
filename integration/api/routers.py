"""The marketplace's write endpoints (in: stores, users, orders, parcels, tracking events,
refund reports; login links; a sandbox's test clock), and the problem a missing object of the
integration is."""

from django.http import HttpRequest, HttpResponse

from ..services.refs import NotFound
from . import api, clock, intake, login_links, reports
from .problems import problem_response

api.add_router("", intake.router)
api.add_router("", reports.router)
api.add_router("", login_links.router)
api.add_router("", clock.router)


@api.exception_handler(NotFound)
def _not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
    return problem_response(api, request, 404, "not_found", exc.message)
