"""Personal data in a stranger's text (``core.pii``): found with its proof, never guessed from
an order number, an amount, a date or a tracking code."""

import pytest

from core.pii import (
    PiiKind,
    cuit_valid,
    curp_valid,
    luhn_valid,
    mask_text,
    pii_detect,
    pii_mask,
    pii_mask_strings,
    rfc_valid,
    rut_valid,
)


def found(text: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], str(s.kind)) for s in pii_detect(text)]


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("escríbanme a juan.perez@gmail.com por favor", "juan.perez@gmail.com", PiiKind.EMAIL),
        ("mi tarjeta 4111 1111 1111 1111 fue cobrada", "4111 1111 1111 1111", PiiKind.CARD),
        ("tarjeta 5500-0000-0000-0004 venc 12/26", "5500-0000-0000-0004", PiiKind.CARD),
        ("amex 378282246310005", "378282246310005", PiiKind.CARD),
        ("llámenme al 300 123 4567", "300 123 4567", PiiKind.PHONE),  # Colombia, mobile
        ("mi cel es 3001234567", "3001234567", PiiKind.PHONE),
        ("WhatsApp +52 55 1234 5678", "+52 55 1234 5678", PiiKind.PHONE),  # Mexico
        ("+54 9 11 1234-5678 es mi número", "+54 9 11 1234-5678", PiiKind.PHONE),  # Argentina
        ("tel: 11 1234-5678", "11 1234-5678", PiiKind.PHONE),
        ("mi número es 612 345 678", "612 345 678", PiiKind.PHONE),  # Spain
        ("escríbame al +56 9 8765 4321", "+56 9 8765 4321", PiiKind.PHONE),  # Chile
        ("mi CURP es HEGG560427MVZRRL04", "HEGG560427MVZRRL04", PiiKind.NATIONAL_ID),
        ("RFC GODE561231GR8", "GODE561231GR8", PiiKind.NATIONAL_ID),
        ("mi RUT 12.345.678-5", "12.345.678-5", PiiKind.NATIONAL_ID),
        ("CUIT 20-12345678-6", "20-12345678-6", PiiKind.NATIONAL_ID),
        ("DNI 12345678Z", "12345678Z", PiiKind.NATIONAL_ID),  # Spain, with its letter
        ("NIE X1234567L", "X1234567L", PiiKind.NATIONAL_ID),
        ("cédula 1.020.304.050", "1.020.304.050", PiiKind.NATIONAL_ID),  # Colombia, labelled
        ("C.C. 1020304050", "1020304050", PiiKind.NATIONAL_ID),
        ("DNI 30.123.456", "30.123.456", PiiKind.NATIONAL_ID),  # Argentina, labelled
        ("mi DNI es 45678912, soy de Lima", "45678912", PiiKind.NATIONAL_ID),  # Peru, labelled
    ],
)
def test_personal_data_is_found_with_its_kind(text, value, kind):
    assert found(text) == [(value, str(kind))]


@pytest.mark.parametrize(
    "text",
    [
        "pedido 3001234567 no llega",
        "orden #123456789 del 12/05/2024",
        "número de pedido 612345678",
        "me cobraron $1.250.000 y USD 4,500.00",
        "el monto fue 300 123 4567",
        "guía 794512345678 de FedEx, tracking 1Z999AA10123456784",
        "ticket #INC-2024-001234 abierto el 2024-05-12 a las 10:30",
        "factura 4111111111111111",
        "referencia de pago 4539578763621486",
        "folio 20123456786",
        "Llevo 3 semanas esperando mi reembolso de 250000",
        "el 03/12/2026 a las 14:05 y el 2026-12-03T14:05:00",
        "id 7311000000000000001",  # a platform's comment id: no card network's prefix
        "1234567812345678",  # passes no Luhn check
        "RFC GODE561231GR9",  # a wrong check digit
        "RUT 12.345.678-9",
        "DNI 12345678A",
        "código postal 110111",
        "Sin datos: ¿a qué hora abren la sucursal del centro?",
    ],
)
def test_numbers_that_are_not_personal_data_are_left_alone(text):
    assert found(text) == []


def test_check_digits():
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")
    assert curp_valid("MAHJ280603MSPRRV09")
    assert not curp_valid("MAHJ280603MSPRRV08")
    assert rfc_valid("GODE561231GR8")
    assert not rfc_valid("GODE561231GR7")
    assert cuit_valid("20123456786")
    assert not cuit_valid("20123456787")
    assert rut_valid("12345678", "5")
    assert not rut_valid("12345678", "K")


def test_masking_keeps_only_what_matches_a_customer_never_what_is_usable():
    text = "Soy Ana, ana.perez@gmail.com, cel 300 123 4567, tarjeta 4111 1111 1111 1111"
    assert pii_mask(text) == "Soy Ana, an***@gm***.com, cel ***4567, tarjeta ***1111"
    assert mask_text(text, []) == text


def test_stored_spans_that_no_longer_fit_the_text_mask_nothing_partially():
    assert mask_text("corto", [[0, 40, "phone"]]) == "corto"


def test_a_payload_is_masked_in_its_texts_not_in_its_ids():
    payload = {
        "id": "4539578763621486",
        "message": "mi correo es ana.perez@gmail.com",
        "nested": [{"text": "tel 3001234567"}],
        "created_time": 1764670000,
    }
    assert pii_mask_strings(payload) == {
        "id": "4539578763621486",
        "message": "mi correo es an***@gm***.com",
        "nested": [{"text": "tel ***4567"}],
        "created_time": 1764670000,
    }
    assert pii_mask_strings({"text": "3001234567"}, keep=frozenset({"3001234567"})) == {
        "text": "***4567"
    }
