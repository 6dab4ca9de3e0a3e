"""triage/renderers.py writes what DRF's own JSON renderer writes, faster."""

import datetime
import json
import uuid
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer as DRFJSONRenderer

from core.api.renderers import JSONRenderer

PLAIN = [
    {
        "results": [
            {
                "index": 0,
                "id": 7,
                "external_id": "tw-1",
                "created": True,
                "category": "pqr",
                "level": "red",
                "confidence": 0.8731,
                "reasons": [{"signal": "model", "evidence": "cobraron dos veces"}],
            }
        ]
    },
    {"errors": [{"index": 3, "field": "text", "message": "must not be empty"}], "n": None},
    {
        "emoji": "¡Qué mal servicio! 😡",
        "quote": 'dijo "basta"',
        "backslash": "a\\b",
        "control": "línea\nnueva\ttab",
        "zero": 0.0,
        "big": 2**53,
        "neg": -1.5,
    },
    {1: "int key", "nested": {"list": [1, [2, [3]]], "empty": {}}},
    {"js": "antes\u2028después\u2029fin"},
    [],
]


@pytest.mark.parametrize("data", PLAIN)
def test_plain_answers_are_written_byte_for_byte_as_drf_writes_them(data):
    assert JSONRenderer().render(data) == DRFJSONRenderer().render(data)


def test_floats_in_exponent_form_read_back_the_same():
    """Both write the shortest digits; only the exponent's padding differs (1e-07, 1e-7)."""
    data = {"small": -1.5e-7, "large": 1e22, "third": 1 / 3}
    assert json.loads(JSONRenderer().render(data)) == data


@pytest.mark.parametrize(
    "value",
    [
        datetime.datetime(2026, 11, 28, 12, 0, 0, 123456, tzinfo=datetime.UTC),
        datetime.date(2026, 11, 28),
        datetime.time(9, 30, 15, 5000),
        Decimal("1.50"),
        gettext_lazy("Rojo"),
        uuid.UUID(int=5),
    ],
)
def test_values_drf_writes_its_own_way_are_left_to_drf(value):
    data = {"value": value, "list": [value]}
    assert JSONRenderer().render(data) == DRFJSONRenderer().render(data)


def test_indented_answers_are_left_to_drf():
    context = {"indent": 2}
    data = {"a": [1, 2]}
    assert JSONRenderer().render(data, "application/json", context) == DRFJSONRenderer().render(
        data, "application/json", context
    )
    assert b"\n" in JSONRenderer().render(data, "application/json", context)


def test_nothing_is_written_for_no_data():
    assert JSONRenderer().render(None) == b""
