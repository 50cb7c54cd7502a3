"""How many A4 pages the report prints to: headless Chromium's "print to PDF" of each case's
expert report, its pages counted (a measurement, not a test: Chromium is a Debian package the
test machine need not have).

    python bench/report_pages.py [CASE.yaml ...]     # default: every shipped case

Prints ``<case> pages=<n>`` per case and ``max_pages=<n>`` last.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.app.report import report_for_procedure  # noqa: E402
from sim.app.runner import run_plan  # noqa: E402


def pages(pdf: Path) -> int:
    """Pages of a PDF, counted from its page objects (no PDF library needed)."""
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))


def main(cases: list[str]) -> int:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("report_pages: chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 2
    paths = [Path(c) for c in cases] or sorted(
        p for p in (ROOT / "scenarios").glob("*.yaml") if not p.name.endswith(".plan.yaml")
    )
    worst = 0
    with tempfile.TemporaryDirectory() as tmp:
        for path in paths:
            proc, out = run_plan(path)
            files = report_for_procedure(proc, out, {}, Path(tmp) / path.stem)
            pdf = files.html.with_suffix(".pdf")
            subprocess.run(
                [browser, "--headless", "--no-sandbox", "--disable-gpu",
                 "--no-pdf-header-footer", f"--print-to-pdf={pdf}", files.html.as_uri()],
                check=True, capture_output=True, timeout=120,
            )  # fmt: skip
            n = pages(pdf)
            worst = max(worst, n)
            print(f"{path.stem} pages={n}", flush=True)
    print(f"max_pages={worst}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
