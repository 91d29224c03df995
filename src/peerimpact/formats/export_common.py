"""What every exporter shares: atomic outputs, scores, names, and the round-trip mapping."""

from __future__ import annotations

import hashlib
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ..errors import UserInputError
from ..fileio import replace_file, replace_folder, temp_sibling
from ..study.model import Study
from ..study.tables import TABLES, Table

TABLE_ORDER = ("participants", "responses", "service_use", "employment", "allocations", "contacts", "absence")
TABLE_SPECS: dict[str, Table] = {t.name: t for t in TABLES}
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


@dataclass
class Outputs:
    """Files and folders written under temporary names and moved into place together.

    Nothing appears at a final path unless every output was written.
    """

    overwrite: bool = False
    pending: list[tuple[Path, Path]] = field(default_factory=list)  # (temporary, final)

    def _claim(self, final: Path) -> Path:
        if final.exists() and not self.overwrite:
            raise UserInputError(f"{final}: already exists (use --overwrite to replace it)")
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = temp_sibling(final)
        self.pending.append((tmp, final))
        return tmp

    def file(self, final: Path) -> Path:
        """A temporary path to write ``final``'s content to."""
        return self._claim(final)

    def folder(self, final: Path) -> Path:
        """A temporary folder that becomes ``final`` (or ``final``.zip, when it ends in .zip)."""
        tmp = self._claim(final)
        tmp.mkdir()
        return tmp

    def commit(self) -> list[Path]:
        """Move every output into place (each atomically, :mod:`peerimpact.fileio`)."""
        done = []
        for tmp, final in self.pending:
            if final.suffix.lower() == ".zip" and tmp.is_dir():
                zipped = tmp.with_name(tmp.name + ".zip")
                zip_folder(tmp, zipped)
                shutil.rmtree(tmp)
                tmp = zipped
            if tmp.is_dir():
                replace_folder(tmp, final)
            else:
                replace_file(tmp, final)
            done.append(final)
        self.pending.clear()
        return done

    def abort(self) -> None:
        for tmp, _ in self.pending:
            for p in (tmp, tmp.with_name(tmp.name + ".zip")):
                if p.is_dir():
                    shutil.rmtree(p, ignore_errors=True)
                elif p.exists():
                    p.unlink()
        self.pending.clear()


def zip_folder(folder: Path, target: Path) -> None:
    """Zip a folder reproducibly (sorted names, fixed timestamps)."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(path.relative_to(folder).as_posix(), date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, path.read_bytes())


def study_scores(study: Study, include: bool) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """``(score(study), score_wide(study))``, or ``(None, None)`` when not wanted."""
    if not include:
        return None, None
    try:
        from ..scoring import score, score_wide
    except ImportError as exc:  # pragma: no cover - scoring ships with the package
        raise UserInputError(f"scores cannot be exported: the scoring module is unavailable ({exc}); use --no-scores") from None
    return score(study), score_wide(study)


def custom_instruments(study: Study) -> dict[str, dict[str, Any]]:
    """Instrument definitions that are not shipped as-is (user-defined or licensed keys)."""
    from ..instruments import shipped_instruments

    shipped = shipped_instruments()
    return {
        inst_id: inst.model_dump(mode="json", exclude_none=True)
        for inst_id, inst in study.instruments.items()
        if inst_id not in shipped or shipped[inst_id] != inst
    }


def write_instrument_files(study: Study, folder: Path) -> list[str]:
    """Write custom instruments into ``folder``; return their names."""
    names = []
    for inst_id, data in custom_instruments(study).items():
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{inst_id}.yaml").write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
        names.append(f"{inst_id}.yaml")
    return names


def definition_dict(study: Study) -> dict[str, Any]:
    return study.definition.model_dump(mode="json", exclude_none=True)


def dump_mapping(mapping: dict[str, Any], path: Path, header: str) -> None:
    text = "".join(f"# {line}\n" for line in header.splitlines())
    text += yaml.safe_dump(mapping, sort_keys=False, allow_unicode=True, width=120)
    path.write_text(text, encoding="utf-8")


def owners(study: Study) -> dict[str, tuple[Any, str, str]]:
    """Responses column -> (instrument, kind 'item'|'prescored', item or subscale id)."""
    out: dict[str, tuple[Any, str, str]] = {}
    for inst_id in study.definition.instruments:
        inst = study.instruments.get(inst_id)
        if inst is None or inst.kind != "questionnaire":
            continue
        for item in inst.item_ids():
            out.setdefault(inst.item_column(item), (inst, "item", item))
        for col in inst.prescored_columns():
            out.setdefault(col, (inst, "prescored", col.split(".", 1)[1]))
    return out


def response_columns(study: Study) -> list[str]:
    return [c for c in study.responses.columns if c not in ("participant_id", "timepoint")]


def service_list(study: Study) -> list[str]:
    """Service ids of the study's schedules, then any others present in the data."""
    out: list[str] = []
    for inst_id in study.definition.instruments:
        inst = study.instruments.get(inst_id)
        if inst is not None and inst.kind == "service_use":
            out += [s for s in inst.service_ids() if s not in out]
    if len(study.service_use):
        out += [s for s in study.service_use["service"].drop_duplicates() if s not in out]
    return out


def unique_names(names: list[str], clean, limit: int, fold_case: bool) -> dict[str, str]:
    """Map each name to a cleaned name that is unique (optionally ignoring case) and short enough."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        base = clean(name)
        if len(base.encode()) > limit:
            digest = hashlib.sha1(name.encode()).hexdigest()[:6]
            base = base.encode()[: limit - 7].decode(errors="ignore") + "_" + digest
        candidate, n = base, 2
        while (candidate.lower() if fold_case else candidate) in taken:
            suffix = f"_{n}"
            candidate = base.encode()[: limit - len(suffix)].decode(errors="ignore") + suffix
            n += 1
        taken.add(candidate.lower() if fold_case else candidate)
        out[name] = candidate
    return out


_SPSS_RESERVED = {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH"}


def spss_clean(name: str) -> str:
    """A valid SPSS variable name (letters, digits, _ . @ # $; starts with a letter; no trailing . or _)."""
    n = re.sub(r"[^A-Za-z0-9_.@#$]", "_", name)
    if not re.match(r"^[A-Za-z]", n):
        n = "v" + n
    n = n.rstrip("._") or "v"
    if n.upper() in _SPSS_RESERVED:
        n = "v_" + n
    return n


def redcap_clean(name: str) -> str:
    """A valid REDCap field name (lowercase letters, digits, _; starts with a letter)."""
    n = re.sub(r"[^a-z0-9_]", "_", name.lower())
    n = re.sub(r"_+", "_", n).strip("_")
    if not re.match(r"^[a-z]", n):
        n = "v_" + n
    return n
