"""Human-readable references (PA-7KQ2M9XZ): read aloud on the phone, so no 0/O and no 1/I."""

import secrets

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_reference(prefix: str, length: int = 8) -> str:
    return f"{prefix}-" + "".join(secrets.choice(ALPHABET) for _ in range(length))
