"""Read ``mapping.yaml`` (and the study definition it names) with file:line problems."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import Problem, StudyValidationError, UserInputError
from ..study.definition import StudyDefinition
from ..study.yamlio import KeyPath, line_for, load_yaml_with_lines, model_at
from .mapping import Mapping


@dataclass
class LoadedMapping:
    """A parsed mapping plus what is needed to point problems at its lines."""

    mapping: Mapping
    path: Path
    label: str
    lines: dict[KeyPath, int]
    raw: dict[str, Any]
    definition: StudyDefinition
    study_path: Path | None = None  # when `study:` names a file
    study_label: str | None = None
    study_lines: dict[KeyPath, int] = field(default_factory=dict)
    instrument_paths: list[Path] = field(default_factory=list)

    def line(self, path: KeyPath) -> int | None:
        """1-based line of a key path of the raw YAML (nearest ancestor when absent)."""
        return line_for(self.lines, resolve_path(self.raw, path))

    def problem(self, path: KeyPath, message: str) -> Problem:
        resolved = resolve_path(self.raw, path)
        return Problem(self.label, line_for(self.lines, resolved), dotted(resolved), message)


def dotted(path: KeyPath) -> str | None:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out or None


def resolve_path(raw: Any, loc: tuple[Any, ...]) -> KeyPath:
    """Map a model location onto the raw YAML's key path.

    Single blocks written without a list, bare strings standing for specs and
    pydantic's union tags do not exist in the YAML, so they are skipped.
    """
    out: list[Any] = []
    node = raw
    for part in loc:
        if part == "from_":
            part = "from"
        if isinstance(node, dict) and part in node:
            out.append(part)
            node = node[part]
        elif isinstance(node, dict) and not isinstance(part, int) and str(part) in {str(k) for k in node}:
            key = next(k for k in node if str(k) == str(part))
            out.append(key)
            node = node[key]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            out.append(part)
            node = node[part]
        else:
            continue
    return tuple(out)


def _allowed_keys(model: type[BaseModel]) -> list[str]:
    return [(f.alias or name) for name, f in model.model_fields.items()]


def unknown_key_message(model: type[BaseModel] | None, key: str) -> str:
    msg = f"unknown key {key!r}"
    if model is None:
        return msg
    names = _allowed_keys(model)
    close = difflib.get_close_matches(str(key), names, n=1, cutoff=0.6)
    if close:
        return msg + f"; did you mean {close[0]!r}?"
    return msg + "; allowed keys: " + ", ".join(names)


def _pydantic_problems(exc: ValidationError, model: type[BaseModel], raw: Any, lines: dict[KeyPath, int], label: str, prefix: KeyPath = ()) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        path = resolve_path(raw, prefix + loc)
        if err["type"] == "extra_forbidden":
            owner = model_at(model, loc[:-1])
            msg = unknown_key_message(owner, str(loc[-1]))
            path = resolve_path(raw, prefix + loc)
        elif err["type"] == "missing":
            msg = f"required key {loc[-1]!r} is missing" if loc else "required key is missing"
        else:
            msg = str(err["msg"]).removeprefix("Value error, ")
        problems.append(Problem(label, line_for(lines, path), dotted(path), msg))
    return problems


_YAML_CACHE: dict[tuple[str, str], tuple[Any, dict[KeyPath, int]]] = {}


def _load_yaml(path: Path, label: str) -> tuple[Any, dict[KeyPath, int]]:
    """:func:`load_yaml_with_lines`, remembered by content (mappings are re-read on every import)."""
    import hashlib

    try:
        key = (label, hashlib.sha256(path.read_bytes()).hexdigest())
    except OSError:
        return load_yaml_with_lines(path, label)
    if key not in _YAML_CACHE:
        if len(_YAML_CACHE) > 64:
            _YAML_CACHE.clear()
        _YAML_CACHE[key] = load_yaml_with_lines(path, label)
    return _YAML_CACHE[key]


def _load_definition(raw_study: Any, lm_label: str, lines: dict[KeyPath, int], raw: dict, base: Path) -> tuple[StudyDefinition | None, list[Problem], Path | None, str | None, dict]:
    if isinstance(raw_study, str):
        study_path = (base / raw_study).resolve()
        study_label = raw_study
        if not study_path.is_file():
            return None, [Problem(lm_label, line_for(lines, ("study",)), "study", f"study definition {raw_study!r} not found (relative to the mapping file)")], None, None, {}
        data, slines = _load_yaml(study_path, study_label)
        if not isinstance(data, dict):
            return None, [Problem(study_label, 1, None, "must be a mapping of keys to values")], None, None, {}
        try:
            return StudyDefinition.model_validate(data), [], study_path, study_label, slines
        except ValidationError as exc:
            return None, _pydantic_problems(exc, StudyDefinition, data, slines, study_label), None, None, {}
    if not isinstance(raw_study, dict):
        return None, [Problem(lm_label, line_for(lines, ("study",)), "study", "must be a path to a study.yaml or the study's keys")], None, None, {}
    try:
        return StudyDefinition.model_validate(raw_study), [], None, None, {}
    except ValidationError as exc:
        return None, _pydantic_problems(exc, StudyDefinition, raw, lines, lm_label, ("study",)), None, None, {}


def load_mapping(path: str | Path) -> LoadedMapping:
    """Parse and validate the structure of a mapping file and its study definition.

    Raises
    ------
    StudyValidationError
        Every structural problem, each naming the mapping (or study) file,
        its line and key path; unknown keys come with a hint.
    UserInputError
        When the file does not exist.
    """
    path = Path(path)
    label = path.name
    if not path.is_file():
        raise UserInputError(f"{path}: no such mapping file")
    raw, lines = _load_yaml(path, label)
    if not isinstance(raw, dict):
        raise StudyValidationError([Problem(label, 1, None, "must be a mapping with keys study, tables, ...")])
    problems: list[Problem] = []
    mapping = None
    try:
        mapping = Mapping.model_validate(raw)
    except ValidationError as exc:
        problems += _pydantic_problems(exc, Mapping, raw, lines, label)
    definition: StudyDefinition | None = None
    dproblems: list[Problem] = []
    study_path: Path | None = None
    study_label: str | None = None
    slines: dict = {}
    if "study" in raw:
        definition, dproblems, study_path, study_label, slines = _load_definition(raw["study"], label, lines, raw, path.parent)
        problems += [p for p in dproblems if p not in problems]
    instrument_paths: list[Path] = []
    for i, rel in enumerate(raw.get("instrument_files") or [] if isinstance(raw.get("instrument_files"), list) else []):
        p = (path.parent / str(rel)).resolve()
        if not p.is_file():
            problems.append(Problem(label, line_for(lines, ("instrument_files", i)), f"instrument_files[{i}]", f"instrument file {rel!r} not found"))
        elif p.suffix not in (".yaml", ".yml"):
            problems.append(Problem(label, line_for(lines, ("instrument_files", i)), f"instrument_files[{i}]", f"instrument file {rel!r} must be a .yaml file"))
        else:
            instrument_paths.append(p)
    if problems or mapping is None or definition is None:
        raise StudyValidationError(problems)
    return LoadedMapping(mapping, path, label, lines, raw, definition, study_path, study_label, slines, instrument_paths)
