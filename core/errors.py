class ActionRefused(Exception):
    """A person asked for something the rules do not allow; `message` says why, in plain words."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class StaleState(ActionRefused):
    """The object changed since the page was loaded (another person or a timer acted first)."""
