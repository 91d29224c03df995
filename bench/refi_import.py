"""Benchmark of the REFI-QDA import (peerimpact.qual.refi.import_qdpx), issue 12.

Builds a synthetic NVivo-for-Windows-style project (SYNTHETIC data): by
default 1,000 text sources of about 3,000 characters (BOM, CRLF line ends,
emoji), 50,000 selections with ``name=""`` and positions in UTF-16 code units
with CRLF counted as two, one coding each, 150 codes. Then, in this process:

1. the baseline: read ``project.qde`` from the archive and parse it with a
   plain ``lxml.etree.fromstring``;
2. ``import_qdpx`` on the same file (archive checks, parsing, convention
   inference per source, placing every selection, building the tables).

Prints wall time, and peak memory above the starting RSS, for both, with the
ratios: import time / lxml time, import peak / uncompressed XML size
(target <= 5x), import peak / lxml peak. Target: import <= 10 s.

    .venv/bin/python bench/refi_import.py
    .venv/bin/python bench/refi_import.py --sources 100 --per-source 50   # quick check
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from benchutil import peak_rss_mib, reset_peak, rss_mib, trim_heap  # noqa: E402
from lxml import etree  # noqa: E402

from peerimpact.qual.refi import import_qdpx  # noqa: E402

WORDS = ("peer", "support", "team", "valued", "ward", "story", "recovery", "shift", "manager", "trust", "hope",
         "training", "badge", "meeting", "listened", "lived", "experience", "café", "week")
EMOJI = ("😊", "🙂", "👍", "🌱")


def _guid(*parts: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "peerimpact-bench-refi/" + "/".join(parts)))


def _units(text: str) -> list[int]:
    """UTF-16 code units with LF counted as two (CRLF), at every code-point position."""
    out, n = [0], 0
    for ch in text:
        n += (2 if ord(ch) >= 0x10000 else 1) + (ch == "\n")
        out.append(n)
    return out


def build(path: Path, sources: int, per_source: int, seed: int = 12) -> int:
    """Write the project; returns the size of the uncompressed ``project.qde`` in bytes."""
    rng = random.Random(seed)
    codes = [_guid("code", str(i)) for i in range(150)]
    users = [_guid("user", "a"), _guid("user", "b")]
    parts = ['<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="bench" origin="NVivo for Windows 12.6">',
             "<Users>" + "".join(f'<User guid="{u}" name="coder {k}"/>' for k, u in enumerate(users)) + "</Users><CodeBook><Codes>"]
    parts += [f'<Code guid="{g}" name="code {i}" isCodable="true"/>' for i, g in enumerate(codes)]
    parts.append("</Codes></CodeBook><Sources>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for s in range(sources):
            lines = []
            while sum(len(x) for x in lines) < 3000:
                words = [rng.choice(WORDS) for _ in range(rng.randint(6, 14))]
                words.insert(rng.randint(0, len(words)), rng.choice(EMOJI))
                lines.append("PW: " + " ".join(words) + ".")
            text = "\n".join(lines) + "\n"
            sg = _guid("source", str(s))
            zf.writestr(f"sources/{sg}.txt", ("\ufeff" + text.replace("\n", "\r\n")).encode("utf-8"))
            units = _units(text)
            parts.append(f'<TextSource guid="{sg}" name="Interview {s:04d}" plainTextPath="internal://{sg}.txt">')
            for k in range(per_source):
                a = rng.randrange(len(text) - 40)
                b = a + rng.randint(5, 40)
                parts.append(
                    f'<PlainTextSelection guid="{_guid("sel", str(s), str(k))}" name="" startPosition="{units[a]}" endPosition="{units[b]}">'
                    f'<Coding guid="{_guid("coding", str(s), str(k))}" creatingUser="{users[k % 2]}"><CodeRef targetGUID="{codes[rng.randrange(150)]}"/></Coding>'
                    "</PlainTextSelection>")
            parts.append("</TextSource>")
        parts.append("</Sources></Project>")
        xml = "".join(parts).encode("utf-8")
        zf.writestr("project.qde", xml)
    return len(xml)


def measure(func) -> tuple[float, float, float, object]:
    """Wall seconds, CPU seconds and peak MiB above the starting RSS of ``func()``."""
    trim_heap()
    reset_peak()
    base = rss_mib()
    t0, c0 = time.perf_counter(), time.process_time()
    out = func()
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    return elapsed, cpu, peak_rss_mib() - base, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--per-source", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.qdpx"
        t0 = time.perf_counter()
        xml_bytes = build(path, args.sources, args.per_source)
        print(f"built {args.sources} sources x {args.per_source} selections in {time.perf_counter() - t0:.1f} s; "
              f"project.qde {xml_bytes / 2**20:.1f} MiB uncompressed, archive {path.stat().st_size / 2**20:.1f} MiB")

        def baseline():
            with zipfile.ZipFile(path) as zf:
                return etree.fromstring(zf.read("project.qde"), etree.XMLParser(huge_tree=True))

        t_lxml, c_lxml, m_lxml, root = measure(baseline)
        del root
        t_imp, c_imp, m_imp, result = measure(lambda: import_qdpx(path))
        xml_mib = xml_bytes / 2**20
        print(f"lxml parse:  {t_lxml:.2f} s wall, {c_lxml:.2f} s CPU, peak +{m_lxml:.0f} MiB")
        print(f"import_qdpx: {t_imp:.2f} s wall, {c_imp:.2f} s CPU, peak +{m_imp:.0f} MiB; {len(result.codings)} codings, "
              f"{len(result.report.lost)} lost, conventions {sorted(set(result.sources['convention']))}")
        print(f"time: import / lxml parse = {t_imp / t_lxml:.1f}x wall, {c_imp / c_lxml:.1f}x CPU "
              f"(target: import <= 10 s: {'met' if t_imp <= 10 else 'NOT met'})")
        print(f"memory: import peak / uncompressed XML = {m_imp / xml_mib:.1f}x (target <= 5x: {'met' if m_imp <= 5 * xml_mib else 'NOT met'}); "
              f"import peak / lxml parse peak = {m_imp / max(m_lxml, 1e-9):.1f}x")


if __name__ == "__main__":
    main()
