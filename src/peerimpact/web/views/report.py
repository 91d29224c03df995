"""The Report page: the database's study through the same pipeline as ``peerimpact report``."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils import timezone

from ...errors import StudyValidationError, UserInputError
from ..access import ADMIN
from ..services.study_export import build_study
from ..services.study_export import study_zip as make_study_zip
from .common import page, roles

RUN_RE = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{6}$")
FILES = {"report.html": "text/html; charset=utf-8",
         "report.docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def reports_dir() -> Path:
    return Path(settings.PEERIMPACT_DATA_DIR) / "reports"


def _runs() -> list[str]:
    folder = reports_dir()
    if not folder.is_dir():
        return []
    return sorted((p.name for p in folder.iterdir() if RUN_RE.match(p.name) and (p / "report.html").is_file()), reverse=True)


@roles(ADMIN)
def report_page(request):
    if request.method == "POST":
        from ...pipeline import run_pipeline

        run = f"{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"
        try:
            run_pipeline(build_study(), reports_dir() / run)
        except UserInputError as exc:
            messages.error(request, f"The report could not be built: {exc}")
        else:
            messages.success(request, "Report built.")
        return redirect("report")
    return page(request, "web/report.html", {"runs": _runs()})


@roles(ADMIN)
def report_file(request, run: str, name: str):
    if not RUN_RE.match(run) or name not in FILES:
        raise Http404
    path = reports_dir() / run / name
    if not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"peerimpact-{run}-{name}", content_type=FILES[name])


@roles(ADMIN)
def study_zip(request):
    """The study folder (``db export-study``) as a zip; each download is recorded in the audit trail."""
    if request.method != "POST":
        return redirect("report")
    try:
        path = make_study_zip(request.user, Path(settings.PEERIMPACT_DATA_DIR) / "exports")
    except (UserInputError, StudyValidationError) as exc:
        messages.error(request, f"The study could not be exported: {exc}")
        return redirect("report")
    response = FileResponse(path.open("rb"), as_attachment=True, filename=path.name, content_type="application/zip")
    path.unlink()  # the open handle keeps the data until the response is sent (POSIX)
    return response
