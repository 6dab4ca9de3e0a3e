from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_personal_data_to_customers"),
    ]

    operations = [
        migrations.RemoveField(model_name="case", name="personal_data"),
        migrations.AlterField(
            model_name="departmentrequest",
            name="due_at",
            field=models.DateTimeField(help_text="When the department's answer is due."),
        ),
    ]
