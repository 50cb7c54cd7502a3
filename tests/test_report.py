"""The debrief report: valid self-contained HTML with every section, real images, the outcome's
numbers; the summary card; dose-volume histograms in the outcome; the ``report`` command."""

from __future__ import annotations

from sim.render.headless import use_dummy_video_if_headless

use_dummy_video_if_headless()

import base64  # noqa: E402
import io  # noqa: E402
from html.parser import HTMLParser  # noqa: E402

import numpy as np  # noqa: E402
import pygame  # noqa: E402
import pytest  # noqa: E402
from helpers import SCENARIOS  # noqa: E402
from helpers import run_main as run_cli  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from sim.app.report import build_report, report_for_procedure  # noqa: E402
from sim.app.report.page import SECTION_IDS  # noqa: E402
from sim.app.report.sections import split_source  # noqa: E402
from sim.app.runner import naive_steps, run_plan  # noqa: E402
from sim.engine.final import assess_procedure  # noqa: E402
from sim.engine.procedure import Procedure  # noqa: E402
from sim.outcome.dose_volume import (  # noqa: E402
    DosePoint,
    cumulative_dvh,
    mean_dose_gy,
    sampled_dvh,
)
from sim.scenario.load import load_scenario  # noqa: E402

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
BLANK_STD = 4.0  # grey-level standard deviation below which an image counts as blank
HOSTILE = "<script>alert('x')</script> & Dr O'Neil"


class Checker(HTMLParser):
    """Collects structure problems, section texts, images, links and table rows."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.stack: list[str] = []
        self.doctype = False
        self.title = ""
        self.sections: dict[str, list[str]] = {}
        self.section_media: dict[str, int] = {}
        self.imgs: list[tuple[str | None, dict]] = []  # (section, attrs)
        self.urls: list[str] = []
        self.tags: set[str] = set()
        self.rows: dict[str, list[list[str]]] = {}
        self.big: list[str] = []
        self._sec: str | None = None
        self._sec_depth = 0
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._in_big = False

    def handle_decl(self, decl: str) -> None:
        self.doctype = self.doctype or decl.lower() == "doctype html"

    def _attrs(self, tag: str, attrs) -> dict:
        a = dict(attrs)
        self.tags.add(tag)
        for k in ("src", "href"):
            if a.get(k):
                self.urls.append(a[k])
        if tag == "img":
            self.imgs.append((self._sec, a))
        if tag in ("img", "svg") and self._sec:
            self.section_media[self._sec] = self.section_media.get(self._sec, 0) + 1
        return a

    def handle_starttag(self, tag, attrs) -> None:
        a = self._attrs(tag, attrs)
        if tag in VOID:
            return
        self.stack.append(tag)
        if tag == "section":
            self._sec, self._sec_depth = a.get("id"), len(self.stack)
            self.sections.setdefault(self._sec, [])
        elif tag == "tr" and self._sec:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "span" and a.get("class") == "big":
            self._in_big = True

    def handle_startendtag(self, tag, attrs) -> None:  # <path/>: opens and closes
        self._attrs(tag, attrs)

    def handle_endtag(self, tag) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        if tag == "section" and len(self.stack) == self._sec_depth:
            self._sec = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._sec:
            self.rows.setdefault(self._sec, []).append(self._row)
            self._row = None
        elif tag == "span":
            self._in_big = False
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] == "title":
            self.title += data
        if self._sec and self.stack[-1] != "h2":
            self.sections[self._sec].append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._in_big:
            self.big.append(data)

    def text(self, sid: str) -> str:
        return " ".join("".join(self.sections.get(sid, [])).split())


def check(path) -> Checker:
    c = Checker()
    c.feed(path.read_text(encoding="utf-8"))
    c.close()
    if c.stack:
        c.problems.append(f"unclosed: {c.stack}")
    return c


def decode_png(uri: str) -> pygame.Surface:
    head, _, b64 = uri.partition(",")
    assert head == "data:image/png;base64", head[:40]
    raw = base64.b64decode(b64, validate=True)
    assert raw[:8] == b"\x89PNG\r\n\x1a\n"
    return pygame.image.load(io.BytesIO(raw), "x.png")


def grey_std(surf: pygame.Surface) -> float:
    return float(pygame.surfarray.array3d(surf).astype(float).mean(axis=2).std())


@pytest.fixture(scope="module")
def glass(tmp_path_factory):
    """Y-90 glass segmentectomy, its expert plan (one contrast run), a hostile trainee name."""
    proc, out = run_plan(SCENARIOS / "y90_glass_segmentectomy.yaml")
    d = tmp_path_factory.mktemp("glass")
    html = build_report(proc, out, {"trainee": HOSTILE, "record_id": 7}, d)
    return proc, out, html, check(html)


@pytest.fixture(scope="module")
def naive(tmp_path_factory):
    """Right gastric trap, whole-liver bland injection to stasis: non-target, no contrast."""
    sc, problems = load_scenario(SCENARIOS / "right_gastric_trap.yaml")
    assert sc is not None, problems
    proc = Procedure(sc)
    naive_steps(proc)
    out = assess_procedure(proc)
    files = report_for_procedure(proc, None, {}, tmp_path_factory.mktemp("naive"))
    assert files.card == files.html.with_name("card.png")
    return proc, out, files.html, check(files.html)


def test_html_is_valid_and_self_contained(glass):
    _, _, html, c = glass
    assert c.doctype, "no <!DOCTYPE html>"
    assert c.problems == []
    assert "Radiation segmentectomy" in c.title
    assert "script" not in c.tags, "a script element made it into the page"
    assert HOSTILE in c.text("case"), "the trainee's name is shown, escaped, as text"
    assert not [u for u in c.urls if u.lower().startswith(("http:", "https:", "//"))]
    raw = html.read_text(encoding="utf-8")
    assert "@import" not in raw and "url(" not in raw, "the stylesheet fetches nothing"
    assert "@media print" in raw
    assert "break-before: page" not in raw, "no section forces a page of its own in print"
    assert "break-inside: avoid" in raw, "rows and figures are kept whole"


def test_every_section_is_there_with_content(glass, naive):
    for _, _, _, c in (glass, naive):
        for sid in SECTION_IDS:
            assert sid in c.sections, f"section #{sid} missing"
            assert len(c.text(sid)) > 20 or c.section_media.get(sid), f"#{sid} is empty"
    assert "Siphon is a teaching tool, not a clinical planning device." in glass[3].text(
        "disclaimer"
    )


def test_angiograms_are_embedded_non_blank_pngs(glass):
    _, _, _, c = glass
    angios = [a for sec, a in c.imgs if sec == "angiograms"]
    assert len(angios) == 2, "before and after"
    for _, a in c.imgs:
        surf = decode_png(a["src"])
        assert surf.get_width() > 100 and surf.get_height() > 100
        assert grey_std(surf) > BLANK_STD, f"{a.get('alt')} is blank"


def test_no_contrast_run_is_said_not_drawn(naive):
    proc, _, _, c = naive
    assert proc.contrast_runs == []
    assert not [a for sec, a in c.imgs if sec == "angiograms"]
    assert "No contrast run was made" in c.text("angiograms")


def test_score_and_components_are_the_outcomes(glass, naive):
    for _, out, _, c in (glass, naive):
        assert float("".join(c.big)) == pytest.approx(out.score, abs=0.05)
        rows = c.rows["score"][1:]
        n_comp, n_pen = len(out.components), len(out.penalties)
        assert n_comp == 6
        for row, comp in zip(rows[:n_comp], out.components, strict=True):
            assert row[2] == f"{comp.points:.1f} / {comp.max:.0f}"
            assert row[3] == comp.reason
        for row, pen in zip(rows[n_comp : n_comp + n_pen], out.penalties, strict=True):
            assert row[2] == f"− {pen.points:.1f}" and row[3] == pen.reason
        goals = rows[n_comp + n_pen + 1 :]  # after the goal table's header
        assert [r[1] for r in goals] == [g.goal for g in out.goals]
        assert [r[0].startswith("✓") for r in goals] == [g.met is True for g in out.goals]


def test_non_target_territories_appear_with_their_complications(naive):
    _, out, _, c = naive
    assert out.non_target, "the naive plan refluxes into non-target territories"
    rows = c.rows["non-target"]
    for d in out.non_target:
        what, source = split_source(d.complication)
        match = [r for r in rows if r[0] == d.territory.replace("_", " ")]
        assert match, f"{d.territory} missing"
        assert match[0][2] == what and match[0][3] == source
        assert match[0][1] == f"{100 * d.fraction:.2f} %"


def test_tumor_rows_and_dose_volume_chart(glass, naive):
    _, out, _, c = glass
    t = out.tumors[0]
    row = c.rows["tumors"][1]
    assert row[0] == t.id and row[5] == f"{100 * t.coverage:.0f} %"
    assert row[9] == f"{t.dose_gy:.0f} Gy"
    assert c.section_media.get("tumors", 0) >= 1, "Y-90: a dose-volume chart"
    assert c.section_media.get("normal-liver", 0) >= 2, "bars and a dose-volume chart"
    assert "no dose-volume histogram" in naive[3].text("tumors")


def test_timeline_lists_actions_and_events(glass):
    proc, out, _, c = glass
    what = [r[1] for r in c.rows["timeline"][1:]]
    assert what.count("inject") == 1 and "agent" in what
    for kind in {e.kind.replace("non_target", "non-target").replace("_", " ") for e in out.events}:
        assert kind in what


def test_card_is_a_slide_sized_non_blank_png(glass, naive):
    for _, _, html, _ in (glass, naive):
        surf = pygame.image.load(str(html.with_name("card.png")))
        assert surf.get_size() == (1600, 900)
        assert grey_std(surf) > BLANK_STD


def _check_dvh(points) -> None:
    assert points[0] == DosePoint(0.0, 1.0)
    d = [p.dose_gy for p in points]
    v = [p.volume_fraction for p in points]
    assert d == sorted(d)
    assert all(b <= a + 1e-12 for a, b in zip(v, v[1:], strict=False)), "DVH rises"
    assert all(0.0 <= x <= 1.0 for x in v)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 3000), st.floats(0.01, 50)),
        min_size=1,
        max_size=12,
    )
)
def test_dvh_properties(beds):
    dose, mass = np.array(beds).T
    pts = cumulative_dvh(dose, mass)
    _check_dvh(pts)
    mean = float((dose * mass).sum() / mass.sum())
    # JSON rounding (1e-3 Gy, 1e-6 of the volume) bounds the area's error by 1e-6 × max dose
    assert mean_dose_gy(pts) == pytest.approx(mean, rel=0.01, abs=0.01 + 1e-6 * dose.max())
    _check_dvh(sampled_dvh(dose, mass))


def test_outcome_dose_volume(glass, naive):
    _, out, _, _ = glass
    for t in out.tumors:
        _check_dvh(t.dose_volume)
        assert mean_dose_gy(t.dose_volume) == pytest.approx(t.dose_gy, rel=0.01)
    segs = out.normal_liver.dose_volume_by_segment
    assert set(segs) == set(out.normal_liver.damage_by_segment)
    for pts in segs.values():
        _check_dvh(pts)
    assert len(segs["S5"]) > 2 and segs["S1"] == (DosePoint(0.0, 1.0),)
    assert out.to_dict()["normal_liver_dose_volume_by_segment"]["S1"] == [
        {"dose_gy": 0.0, "volume_fraction": 1.0}
    ]
    _, bland, _, _ = naive
    assert all(t.dose_volume == () for t in bland.tumors)
    assert bland.normal_liver.dose_volume_by_segment == {}


@pytest.mark.slow
def test_cli_report_from_a_plan_and_from_a_record(tmp_path):
    case = str(SCENARIOS / "workshop_quick.yaml")
    r = run_cli("report", "--scenario", case, "-o", str(tmp_path / "plan"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "plan" / "report.html").stat().st_size > 10_000
    assert (tmp_path / "plan" / "card.png").exists()
    data = str(tmp_path / "data")
    r = run_cli("run", case, "--data-dir", data, "--trainee", "Dr B")
    assert r.returncode == 0, r.stderr
    r = run_cli("report", "1", "-o", str(tmp_path / "rec"), "--data-dir", data)
    assert r.returncode == 0, r.stderr
    c = check(tmp_path / "rec" / "report.html")
    assert c.problems == [] and "Dr B" in c.text("case")


@pytest.mark.parametrize(
    "args",
    [
        ("report", "999", "--data-dir", "{data}", "-o", "{out}"),
        ("report", "abc", "--data-dir", "{data}", "-o", "{out}"),
        ("report", "-o", "{out}"),
        ("report", "--scenario", "{data}/missing.yaml", "-o", "{out}"),
    ],
)
def test_cli_bad_input_is_one_line(tmp_path, args):
    r = run_cli(*(a.format(data=tmp_path, out=tmp_path / "o") for a in args))
    assert r.returncode != 0
    assert "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert not (tmp_path / "o" / "report.html").exists()
