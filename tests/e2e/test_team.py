import pytest
from playwright.sync_api import expect

from tests.e2e.test_live_queue import log_in, open_from_menu

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_sam_adds_a_person_through_the_team_page(page, live_server, sam, alice, tmp_path):
    log_in(page, live_server.url, "sam")
    open_from_menu(page, "Gestión", "Equipo")
    expect(page.get_by_role("heading", name="Equipo de Banco Aurora")).to_be_visible()
    expect(page.locator('tr[data-username="alice"]')).to_be_visible()

    form = page.locator("form", has=page.get_by_role("button", name="Añadir", exact=True))
    form.get_by_label("Usuario").fill("nina")
    form.get_by_label("Nombre").fill("Nina")
    form.get_by_label("Apellido").fill("Paz")
    form.get_by_label("Correo").fill("nina@example.com")
    form.get_by_label("Rol").select_option(label="Comité de crisis")
    form.get_by_label("Contraseña").fill("lantern-orbit-velvet-42")
    form.get_by_role("button", name="Añadir", exact=True).click()

    expect(page.locator(".messages")).to_contain_text("nina ahora trabaja para Banco Aurora")
    row = page.locator('tr[data-username="nina"]')
    expect(row).to_contain_text("Nina Paz")
    expect(row).to_contain_text("nina@example.com")
    expect(row.get_by_label("Rol de nina")).to_have_value("crisis_committee")
    page.screenshot(path=str(tmp_path / "team.png"), full_page=True)
