"""Errors raised by services: a stable machine code plus a message in the user's language."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise


class ServiceError(Exception):
    """A refused operation. `code` is stable for API clients; `message` is translated for people."""

    status = 400

    def __init__(self, code: str, message: str | Promise, *, status: int | None = None, **details: Any):
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.details = details
        if status is not None:
            self.status = status

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "message": str(self.message)}
        if self.details:
            data["details"] = {k: str(v) for k, v in self.details.items()}
        return data


class PermissionDenied(ServiceError):
    status = 403

    def __init__(self, message: str | Promise, code: str = "forbidden", **details: Any):
        super().__init__(code, message, **details)


class NotFound(ServiceError):
    status = 404

    def __init__(self, message: str | Promise, code: str = "not_found", **details: Any):
        super().__init__(code, message, **details)


class Throttled(ServiceError):
    """Too many requests from one client: `retry_after` seconds until the next is taken (Retry-After)."""

    status = 429

    def __init__(self, message: str | Promise, retry_after: int, code: str = "throttled", **details: Any):
        super().__init__(code, message, **details)
        self.retry_after = retry_after


class Conflict(ServiceError):
    status = 409

    def __init__(self, message: str | Promise, code: str = "conflict", **details: Any):
        super().__init__(code, message, **details)
