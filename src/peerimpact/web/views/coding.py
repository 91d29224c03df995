"""The coding workbench pages (coders and research admins; no participant tables).

``/transcripts/``: progress by site, participant and timepoint (who coded
what, how far); ``/transcripts/<uid>/``: the workbench, a page driven by the
coding API (``static/web/coding/workbench.js``); ``/transcripts/<uid>/reconcile/``:
coders side by side with the agreement per code.
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect

from ..access import ADMIN, CODER
from ..coding.agreement import transcript_agreement
from ..coding.blind import assign_coders, unblind_transcript
from ..coding.codebook import CodeFates, codebook_dict, colour_of, current_codebook
from ..coding.codebook_edit import may_edit_codebook
from ..coding.codings import CONSENSUS, create_coding
from ..coding.models import Assignment
from ..coding.progress import coverage_rows
from ..coding.visibility import assigned_shown, codings_for, is_blind, may_see_agreement, transcripts_for
from ..records.models.base import ID_REGEX
from ..services.errors import FieldErrors
from .common import page, roles

ID_RE = re.compile(ID_REGEX)
NOSCRIPT_ROWS = 100


@roles(ADMIN, CODER)
def transcript_list(request):
    transcripts = list(transcripts_for(request.user).order_by("site", "participant__participant_id", "timepoint", "interview_id"))
    return page(request, "coding/transcripts.html", {"rows": coverage_rows(request.user, transcripts)})


@roles(ADMIN, CODER)
def transcript_detail(request, uid):
    t = get_object_or_404(transcripts_for(request.user), uid=uid)
    codings = codings_for(request.user).filter(transcript=t).order_by("start", "code")
    blind = is_blind(t)
    every = list(Assignment.objects.filter(transcript=t).order_by("coder").values_list("coder", flat=True))
    shown = assigned_shown(request.user, every, blind)
    return page(request, "coding/workbench.html", {
        "t": t, "blind": blind, "agreement": may_see_agreement(request.user, t), "may_edit": may_edit_codebook(request.user),
        # the page without scripts: a table (up to NOSCRIPT_ROWS codings; a long one would slow every page load)
        "rows": [(c, t.text[c.start:c.end]) for c in codings[:NOSCRIPT_ROWS]], "n_codings": codings.count(),
        "assigned": shown, "n_hidden": len(every) - len(shown),
    })


@roles(ADMIN, CODER)
def transcript_reconcile(request, uid):
    t = get_object_or_404(transcripts_for(request.user), uid=uid)
    if not may_see_agreement(request.user, t):
        raise PermissionDenied("reconciliation is open to research admins, and to coders once the transcript is unblinded")
    if request.method == "POST":  # record a consensus coding: the span and code of one coder's coding
        source = codings_for(request.user).filter(transcript=t, uid=request.POST.get("coding") or None).first()
        if source is None:
            raise Http404
        book = current_codebook()
        code = _current_code(CodeFates(book), source)
        try:
            create_coding(request.user, t.interview_id, source.start, source.end, code, consensus=True, book=book)
        except FieldErrors as exc:
            messages.error(request, f"No consensus recorded: {exc}")
        else:
            messages.success(request, f"Consensus: {code} on [{source.start}, {source.end}).")
        return redirect("transcript-reconcile", uid=t.uid)
    book = current_codebook()
    fates = CodeFates(book)
    result = transcript_agreement(t)
    codings = list(codings_for(request.user).filter(transcript=t).order_by("coder", "start", "end", "code"))
    coders = sorted({c.coder for c in codings})
    by_code: dict[str, dict[str, list]] = {}
    for c in codings:  # by the code at the current version, as the agreement counts them
        by_code.setdefault(_current_code(fates, c), {k: [] for k in coders})[c.coder].append(c)
    names = {c["id"]: c["name"] for c in codebook_dict(book)["codes"]}
    alpha = {r["code"]: r["alpha"] for r in result["alpha"] if r["scope"] == "code"}
    rows = []
    for code in sorted(by_code, key=lambda k: (names.get(k, k))):
        spans = {k: {(c.start, c.end) for c in v} for k, v in by_code[code].items()}
        cells = [(k, [(c, t.text[c.start:c.end], k != CONSENSUS and any((c.start, c.end) not in spans[o] for o in coders if o not in (k, CONSENSUS))) for c in by_code[code][k]])
                 for k in coders]
        rows.append({"code": code, "name": names.get(code, code), "colour": colour_of(book, code), "cells": cells,
                     "alpha": alpha.get(code)})
    pairs = [r for r in result["pairs"] if r["scope"] in ("code", "all")]
    return page(request, "coding/reconcile.html", {"t": t, "coders": coders, "rows": rows, "pairs": pairs,
                                                  "alpha": result["alpha"], "warnings": result["warnings"]})


def _current_code(fates: CodeFates, c) -> str:
    """The coding's code at the current codebook version (merges and renames followed)."""
    version = c.extra.get("version")
    fate = fates(c.code, None if version in (None, "") else int(float(version)))
    return fate.code if fate.kind == "moved" else c.code


@roles(ADMIN)
def transcript_blind(request, uid):
    """Research admins: assign blind coders (a comma-separated list of coder ids) or unblind (POST only)."""
    t = get_object_or_404(transcripts_for(request.user), uid=uid)
    if request.method != "POST":
        return redirect("transcript", uid=t.uid)
    if request.POST.get("unblind"):
        unblind_transcript(request.user, t)
        messages.success(request, f"{t.interview_id} is unblinded: its coders now see each other's codings.")
    else:
        coders = [c.strip() for c in request.POST.get("coders", "").split(",") if c.strip()]
        bad = [c for c in coders if not ID_RE.match(c)]
        if len(set(coders)) < 2 or bad:
            messages.error(request, "name two or more coder ids, separated by commas" + (f" ({', '.join(bad)} is not an id)" if bad else ""))
        else:
            done = assign_coders(request.user, t, coders)
            messages.success(request, f"Blind double coding of {t.interview_id} by {', '.join(done['assigned'])}.")
    return redirect("transcript", uid=t.uid)
