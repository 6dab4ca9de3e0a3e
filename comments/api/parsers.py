import orjson
from django.conf import settings
from rest_framework import exceptions
from rest_framework.parsers import JSONParser

from core.api.errors import PayloadTooLarge


class LimitedJSONParser(JSONParser):
    """JSON with a size limit: DRF reads the body stream without one, Django's own limit only
    guards ``request.body``, and a client must hear 413 rather than tie up a worker.

    Read with orjson, about three times faster than ``json`` on a 500-comment body and strict
    where ``json`` is lenient: ``NaN``, a lone surrogate or a text in another encoding is
    malformed (RFC 8259 asks for UTF-8 and numbers)."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.SEMAFORO["MAX_BODY_BYTES"]
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise PayloadTooLarge(f"the body must be at most {limit} bytes")
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError as error:
            if "UTF-8" in error.msg:
                raise exceptions.ParseError("the body must be UTF-8 encoded JSON") from None
            raise exceptions.ParseError(f"malformed JSON: {error}") from None
