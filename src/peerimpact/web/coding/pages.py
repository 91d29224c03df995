"""Pages of the codebook and of interpretive workshops (server-rendered forms; no script needed).

``/codebook/``: the codes, themes and version history, and forms for each
change (research admins; coders where the coding policy allows).
``/workshop/``: everyone's codes on the same transcripts side by side (who,
how often, quotes), with a merge that saves a codebook version whose reason
names the workshop.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect

from ..access import ADMIN, CODER, require_role
from ..services.errors import Conflict, FieldErrors
from ..views.common import page, roles
from .codebook import CodeFates, codebook_dict, colour_of, current_codebook
from .codebook_edit import change_codebook, may_edit_codebook
from .models import CodingPolicy
from .visibility import codings_for, transcripts_for


def _data(post) -> tuple[int, str, str, dict]:
    """The change named by a codebook form: (base_version, action, reason, fields)."""
    try:
        base = int(post.get("base_version", ""))
    except ValueError:
        base = 0
    action, reason = post.get("action", ""), post.get("reason", "")
    data: dict = {}
    for key in ("code", "into", "id", "new_id", "name", "colour", "theme"):
        value = post.get(key, "").strip()
        if value:
            data[key] = value
    codes = [c for c in post.getlist("codes") if c]
    if codes:
        data["codes"] = codes
    if action == "split":
        parts = []
        for line in post.get("into", "").splitlines():
            if line.strip():
                code_id, _, name = line.partition(":")
                parts.append({"id": code_id.strip(), "name": name.strip() or code_id.strip()})
        data["into"] = parts
    return base, action, reason, data


def _apply(request, reason_prefix: str = "") -> bool:
    base, action, reason, data = _data(request.POST)
    reason = f"{reason_prefix}{reason}" if reason.strip() else ""
    try:
        book = change_codebook(request.user, base, action, reason, data)
    except Conflict as exc:
        messages.warning(request, str(exc.errors[0][1]))
        return False
    except FieldErrors as exc:
        for field, message in exc.errors:
            messages.error(request, f"{field}: {message}" if field else message)
        return False
    messages.success(request, f"Saved as codebook version {book.version}.")
    return True


@roles(ADMIN, CODER)
def codebook_page(request):
    if request.method == "POST":
        if request.POST.get("action") == "policy":
            _set_policy(request)
        else:
            _apply(request)
        return redirect("codebook")
    book = current_codebook()
    return page(request, "coding/codebook.html", {"book": codebook_dict(book), "may_edit": may_edit_codebook(request.user),
                                                  "policy": CodingPolicy.current()})


def _set_policy(request) -> None:
    """Research admins: whether coders may change the codebook (workshops with emerging codes)."""
    require_role(request.user, ADMIN)
    policy = CodingPolicy.current()
    policy.coders_may_edit_codebook = request.POST.get("coders_may_edit_codebook") == "on"
    policy._history_user, policy._change_reason = request.user, "coding policy changed"
    policy.save()
    messages.success(request, "Coders may now change the codebook." if policy.coders_may_edit_codebook
                     else "Only research admins change the codebook now.")


def workshop_rows(user, interview_ids: list[str] | None) -> list[dict]:
    """Per code (at the current version) used in the chosen transcripts: who used it, how often, and quotes."""
    book = current_codebook()
    fates = CodeFates(book)
    names = {c.id: c.name for c in book.codes}
    qs = codings_for(user).order_by("transcript__interview_id", "start", "id")
    if interview_ids:
        qs = qs.filter(transcript__interview_id__in=interview_ids)
    rows: dict[str, dict] = {}
    codings = list(qs)
    texts = {t.pk: t for t in transcripts_for(user).filter(pk__in={c.transcript_id for c in codings})}
    for c in codings:
        fate = fates(c.code, None if c.extra.get("version") in (None, "") else int(float(c.extra["version"])))
        code = fate.code if fate.kind == "moved" else c.code
        row = rows.setdefault(code, {"code": code, "name": names.get(code, code), "colour": colour_of(book, code), "coders": {}})
        per = row["coders"].setdefault(c.coder, {"n": 0, "quotes": []})
        per["n"] += 1
        if len(per["quotes"]) < 3:
            t = texts[c.transcript_id]
            per["quotes"].append((t.interview_id, t.text[c.start:c.end]))
    out = []
    for row in sorted(rows.values(), key=lambda r: r["name"].lower()):
        row["coders"] = sorted(row["coders"].items())
        row["idiosyncratic"] = len(row["coders"]) == 1
        row["n"] = sum(p["n"] for _, p in row["coders"])
        out.append(row)
    return out


@roles(ADMIN, CODER)
def workshop_page(request):
    chosen = [i for i in request.GET.getlist("interview") if i]
    if request.method == "POST":
        name = request.POST.get("workshop", "").strip() or "workshop"
        _apply(request, reason_prefix=f"{name}: ")
        query = "&".join(f"interview={i}" for i in request.POST.getlist("interview"))
        return redirect(f"{request.path}?{query}" if query else request.path)
    book = current_codebook()
    transcripts = list(transcripts_for(request.user).order_by("interview_id").values_list("interview_id", flat=True))
    return page(request, "coding/workshop.html", {
        "rows": workshop_rows(request.user, chosen), "transcripts": transcripts, "chosen": chosen, "version": book.version,
        "may_edit": may_edit_codebook(request.user),
    })


def visible_study(user):
    """The database's study with only the codings ``user`` may see (blind transcripts: a coder's own)."""
    import dataclasses

    from ..access import role_of
    from ..services.study_export import build_study

    study = build_study()
    if role_of(user) == ADMIN:
        return study
    keys = set(codings_for(user).values_list("segment_id", "code", "coder"))
    codings = study.codings
    mask = [k in keys for k in zip(codings["segment_id"], codings["code"], codings["coder"])]
    return dataclasses.replace(study, codings=codings[mask].reset_index(drop=True))


@roles(ADMIN, CODER)
def counts_page(request):
    """Code x timepoint and code x site counts (the core's ``code_matrix``), over the codings the user may see."""
    from ...qual.queries import code_matrix

    count = request.GET.get("count", "segments")
    count = count if count in ("segments", "participants") else "segments"
    study = visible_study(request.user)
    tables = []
    for by in ("timepoint", "site"):
        frame = code_matrix(study, by=by, count=count)
        columns = [c for c in frame.columns if c not in ("code", "name")]
        tables.append({"by": by, "columns": columns,
                       "rows": [(r["code"], r["name"], [r[c] for c in columns]) for r in frame.to_dict("records")]})
    return page(request, "coding/counts.html", {"tables": tables, "count": count})


@roles(ADMIN, CODER)
def search_page(request):
    """Search the transcripts (the core's FTS5 index, kept in the data folder) with "code this passage" links."""
    from pathlib import Path

    from django.conf import settings

    from ...errors import UserInputError
    from ...qual.search import search

    q = request.GET.get("q", "").strip()
    results, error = [], None
    if q:
        study = visible_study(request.user)
        try:
            frame = search(study, q, limit=50, cache_dir=Path(settings.PEERIMPACT_DATA_DIR) / "search")
        except UserInputError as exc:
            error = str(exc)
        else:
            uids = dict(transcripts_for(request.user).values_list("interview_id", "uid"))
            results = [{**r, "uid": uids.get(r["interview_id"])} for r in frame.to_dict("records") if r["interview_id"] in uids]
    return page(request, "coding/search.html", {"q": q, "results": results, "error": error})
