"""Cursor pagination that answers a bad ``page_size`` or ``cursor`` with 400 naming it.

DRF quietly used the default for a ``page_size`` it could not read, capped a huge one, and
answered 404 to a cursor it could not decode; a decoded cursor whose position was not a date
reached the query and failed there (500).
"""

import binascii
from base64 import b64decode
from datetime import datetime
from urllib import parse

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.pagination import Cursor, CursorPagination

from core.inputs import EARLIEST, too_late


class StrictCursorPagination(CursorPagination):
    """Newest first by a date-time field (``ordering``'s first), ``page_size`` 1 to max."""

    page_size_query_param = "page_size"

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        largest = self.max_page_size or self.page_size or 1
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= largest:
            raise exceptions.ValidationError(
                {
                    self.page_size_query_param: _("must be a whole number from 1 to %(max)s")
                    % {"max": largest}
                }
            )
        return int(raw)

    def decode_cursor(self, request):
        """DRF's decoding, strict: base64 with nothing dropped, only the tokens DRF writes, and
        a position that is a date-time the API could have written."""
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        try:
            tokens = parse.parse_qs(
                b64decode(encoded.encode("ascii"), validate=True).decode("ascii"),
                keep_blank_values=True,
                strict_parsing=bool(encoded),
            )
            if not set(tokens) <= {"o", "r", "p"} or any(len(v) != 1 for v in tokens.values()):
                raise ValueError(tokens)
            offset = tokens.get("o", ["0"])[0]
            reverse = tokens.get("r", ["0"])[0]
            position = tokens.get("p", [None])[0]
            if not offset.isdigit() or int(offset) > self.offset_cutoff or reverse not in "01":
                raise ValueError(offset, reverse)
            if position is not None:
                moment = datetime.fromisoformat(position)
                if moment.utcoffset() is None or moment < EARLIEST or too_late(moment):
                    raise ValueError(position)
        except (ValueError, UnicodeError, binascii.Error):
            raise exceptions.ValidationError(
                {self.cursor_query_param: _("is not a cursor this API gave")}
            ) from None
        # The stubs type a position as int; DRF writes and reads the ordering field as text.
        return Cursor(offset=int(offset), reverse=reverse == "1", position=position)  # type: ignore[arg-type]

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                }
        return parameters
