"""Each case's personal data moves to its author's customer (the later case winning field by
field), and each department request gets its deadline and first reminder."""

from datetime import timedelta

from django.conf import settings
from django.db import migrations


def data_to_customers(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Customer = apps.get_model("cases", "Customer")
    CustomerHandle = apps.get_model("cases", "CustomerHandle")
    customers = {}
    cases = (
        Case.objects.exclude(personal_data={})
        .order_by("updated_at", "pk")
        .values_list("author_id", "brand_id", "personal_data", "updated_at")
    )
    for author_id, brand_id, data, at in cases.iterator():
        customer = customers.get(author_id)
        if customer is None:
            customer = Customer.objects.filter(handles__author_id=author_id).first()
            if customer is None:
                customer = Customer.objects.create(brand_id=brand_id)
                CustomerHandle.objects.create(customer=customer, author_id=author_id)
            customers[author_id] = customer
        customer.personal_data = {**customer.personal_data, **data}
        customer.personal_data_at = at
    for customer in customers.values():
        customer.save(update_fields=["personal_data", "personal_data_at"])


def data_back_to_cases(apps, schema_editor):
    """Back to each author's latest case."""
    Case = apps.get_model("cases", "Case")
    CustomerHandle = apps.get_model("cases", "CustomerHandle")
    for handle in CustomerHandle.objects.select_related("customer").iterator():
        latest = Case.objects.filter(author_id=handle.author_id).order_by("-opened_at").first()
        if latest is not None and handle.customer.personal_data:
            Case.objects.filter(pk=latest.pk).update(personal_data=handle.customer.personal_data)


def department_deadlines(apps, schema_editor):
    DepartmentRequest = apps.get_model("cases", "DepartmentRequest")
    hours = settings.SEMAFORO["DEPARTMENT_DUE_H"]
    remind = settings.SEMAFORO["DEPARTMENT_REMIND_H"]
    for request in DepartmentRequest.objects.filter(due_at=None).select_related("brand"):
        request.due_at = request.requested_at + timedelta(
            hours=request.brand.department_due_hours or hours
        )
        if request.answered_at is None:
            before = request.due_at - timedelta(hours=remind)
            request.remind_at = before if before > request.requested_at else request.due_at
        request.save(update_fields=["due_at", "remind_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_customers_notes_reminders"),
    ]

    operations = [
        migrations.RunPython(data_to_customers, data_back_to_cases),
        migrations.RunPython(department_deadlines, migrations.RunPython.noop),
    ]
