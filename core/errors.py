class ActionRefused(Exception):
    """A person asked for something the rules do not allow; `message` says why, in plain words."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class StaleState(ActionRefused):
    """The object changed since the page was loaded (another person or a timer acted first)."""


class TooLate(StaleState):
    """A deadline had already decided before the act came: its outcome was applied (and is on
    the record) and the act is refused. Unlike other refusals, this one leaves changes behind:
    the clock's, dated at its due time."""


class SandboxOnly(ActionRefused):
    """An act that exists only in a sandbox deployment (settings.PARLEY_SANDBOX), asked for in
    one that is not: pages answer 403 and the API `sandbox_only`, with the message."""
