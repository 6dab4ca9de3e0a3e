"""The history import page: a supervisor uploads a brand's export, a worker imports it, and the
page follows its progress (an htmx partial that polls itself until the job is done), then hands
out its rejects. The work is ``comments.importing``'s, the same as the command's. This module is
also its own URL conf, so the project's URLs need one line for it.
"""

from pathlib import Path
from typing import cast

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from brands.access import brand_ids_for_request
from brands.models import Brand
from comments import importing
from comments.models import ImportJob

PERMISSION = importing.PERMISSION


class UploadForm(forms.Form):
    brand = forms.ModelChoiceField(queryset=Brand.objects.none(), label=gettext_lazy("Brand"))
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("A .csv file whose first line names the columns, or .jsonl."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.jsonl,.ndjson"}),
    )
    mapping = forms.CharField(
        label=gettext_lazy("Other column names"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "id=external_id\nmessage=text"}),
        help_text=gettext_lazy("One per line: their_header=our_field."),
    )
    ignore_unknown = forms.BooleanField(
        label=gettext_lazy("Leave out the columns that are no field of ours"), required=False
    )

    def __init__(self, *args, brand_ids, **kwargs):
        super().__init__(*args, **kwargs)
        brands = Brand.objects.filter(pk__in=sorted(brand_ids)).order_by("name")
        cast(forms.ModelChoiceField, self.fields["brand"]).queryset = brands
        if len(brand_ids) == 1:
            self.fields["brand"].initial = next(iter(brand_ids))

    def clean_mapping(self) -> dict[str, str]:
        pairs = [line for line in self.cleaned_data["mapping"].splitlines() if line.strip()]
        try:
            return importing.mapping_parse(pairs)
        except importing.ImportRefused as refused:
            raise forms.ValidationError(str(refused)) from None


@login_required
@permission_required(PERMISSION, raise_exception=True)
def imports(request):
    brand_ids = brand_ids_for_request(request, PERMISSION)
    form = UploadForm(brand_ids=brand_ids)
    status = 200
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, brand_ids=brand_ids)
        if form.is_valid():
            try:
                job = importing.upload_accept(
                    actor=request.user,
                    brand_id=form.cleaned_data["brand"].pk,
                    upload=form.cleaned_data["file"],
                    mapping=form.cleaned_data["mapping"],
                    ignore_unknown=form.cleaned_data["ignore_unknown"],
                )
            except importing.ImportRefused as refused:
                form.add_error("file", str(refused))
            else:
                return redirect("import-detail", job.pk)
        status = 400
    jobs = importing.jobs_for(brand_ids)[:30]
    return render(request, "comments/imports.html", {"form": form, "jobs": jobs}, status=status)


def _job(request, pk: int) -> ImportJob:
    """The job, when it is of a brand the person may import into; else 404, as for any row
    of another brand."""
    return get_object_or_404(importing.jobs_for(brand_ids_for_request(request, PERMISSION)), pk=pk)


def _context(job: ImportJob) -> dict:
    return {"job": job, "progress": importing.job_progress(job)}


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_safe
def import_detail(request, pk: int):
    return render(request, "comments/import_detail.html", _context(_job(request, pk)))


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_safe
def import_progress(request, pk: int):
    """The job's progress, polled by its page until the job is done."""
    return render(request, "comments/_import_progress.html", _context(_job(request, pk)))


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_safe
def import_rejects(request, pk: int):
    """An upload's rejected lines, as the worker wrote them (JSON Lines)."""
    job = _job(request, pk)
    if job.source != ImportJob.Source.UPLOAD or not job.rejected:
        raise Http404(_("This import has no rejects to download."))
    rejects = Path(default_storage.path(importing.rejects_name(job)))
    if not rejects.is_file():
        raise Http404
    return FileResponse(
        rejects.open("rb"),
        as_attachment=True,
        filename=f"{Path(job.name).stem}.rejects.jsonl",
        content_type="application/jsonl",
    )


urlpatterns = [
    path("", imports, name="imports"),
    path("<int:pk>/", import_detail, name="import-detail"),
    path("<int:pk>/progress/", import_progress, name="import-progress"),
    path("<int:pk>/rejects/", import_rejects, name="import-rejects"),
]
