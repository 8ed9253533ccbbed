"""The read side of the API (cases), added to `api` (imported at the end of the package)."""

from . import api
from .cases import router as cases_router

api.add_router("/", cases_router)
