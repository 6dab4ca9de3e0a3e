"""One error shape for every 4xx/5xx the API answers:

``{"errors": [{"index": 3, "field": "likes", "message": "must be zero or more"}]}``
(``index`` only for items of a batch).
"""

import logging

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError

logger = logging.getLogger(__name__)

DATABASE_RETRY_AFTER_S = 5


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "request too large"
    default_code = "too_large"

    def __init__(self, detail: str, field: str | None = None):
        super().__init__(detail)
        self.field = field


def errors_response(errors: list[dict], status_code: int, headers=None) -> Response:
    return Response({"errors": errors}, status=status_code, headers=headers)


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return errors_response(exc.as_errors(), status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, OperationalError | InterfaceError):
        logger.error("database unavailable", exc_info=exc)
        return errors_response(
            [
                {
                    "field": None,
                    "message": "the database is unavailable; nothing was written, retry later",
                }
            ],
            status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(DATABASE_RETRY_AFTER_S)},
        )
    if isinstance(exc, DatabaseError):
        logger.exception("database error", exc_info=exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    response.data = {"errors": _flatten(getattr(exc, "field", None), response.data)}
    return response


def _flatten(field, detail) -> list[dict]:
    """DRF details (str, list or dict of them) as a list of {field, message}."""
    if isinstance(detail, dict):
        if set(detail) == {"detail"}:
            return _flatten(field, detail["detail"])
        return [e for name, value in detail.items() for e in _flatten(name, value)]
    if isinstance(detail, list):
        return [e for value in detail for e in _flatten(field, value)]
    return [{"field": field, "message": str(detail)}]
