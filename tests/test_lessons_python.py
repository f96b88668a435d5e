"""Lesson 01 (Python for PMs) and the cheat sheet: answers recomputed independently, every targeted
mistake tried with its slip and a near miss, other seeds, the truth reveal, and a cheat sheet
that covers every pmkit call the lessons make."""

from __future__ import annotations

import ast
import importlib
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pmkit import datasets
from pmkit.course import notebooks
from pmkit.exercises import python_for_pms as py
from pmkit.exercises.engine import start
from pmkit.syllabus import read_lesson_meta
from tests.notebook_runs import run_notebook

ROOT = Path(__file__).resolve().parents[1]
NAME = "01_python_for_pms"
CHEATSHEET = ROOT / "docs" / "cheatsheet.md"


@pytest.fixture(scope="module", params=[42, 7])
def lesson(request):
    return start(NAME, seed=request.param)


def _tables(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Each order's region and late flag, joined with a dict (not the module's merge)."""
    orders = datasets.load("orders", seed=seed)
    customers = datasets.load("customers", seed=seed)
    lookup = dict(zip(customers["customer_id"].to_numpy(), customers["region"].to_numpy(), strict=True))
    region = np.array([lookup[c] for c in orders["customer_id"].to_numpy()])
    late = orders["actual_days"].to_numpy() > orders["promised_days"].to_numpy()
    return region, late


def _message(lesson, name, answer) -> str:
    feedback = lesson.check(name, answer)
    assert not feedback.passed, (name, answer)
    return feedback.message


# ------------------------------------------------------- expected answers ---

def test_expected_answers_match_an_independent_computation(lesson) -> None:
    seed = lesson.context.seed
    region, late = _tables(seed)
    west = region == "West"
    assert lesson.answer("n_customers") == datasets.load("customers", seed=seed).shape[0]
    assert lesson.answer("south_late_share") == pytest.approx(late[region == "South"].mean(), rel=1e-12)
    shares = {r: late[region == r].mean() for r in np.unique(region)}
    assert lesson.answer("late_by_region").to_dict() == pytest.approx(shares, rel=1e-12)
    assert lesson.answer("worst_region") == max(shares, key=shares.get)
    assert lesson.answer("west_late_orders") == int(np.count_nonzero(late & west))
    assert lesson.answer("review_line") == pytest.approx(late[west].mean(), rel=1e-12)
    assert lesson.answer("west_part_of_late") == pytest.approx(np.count_nonzero(late & west) / late.sum())
    survey = datasets.load("nps", seed=seed)
    scores = survey.loc[survey["date"].dt.year == py.NPS_YEAR, "score"].to_numpy()
    promoters, detractors = np.mean(scores >= 9), np.mean(scores <= 6)
    nps = 100 * (promoters - detractors)
    se = 100 * np.sqrt((promoters + detractors - (promoters - detractors) ** 2) / scores.size)
    assert lesson.answer("nps_low") == pytest.approx(nps - 1.959964 * se, rel=1e-5)


def test_answers_change_with_the_seed() -> None:
    a, b = start(NAME, seed=42), start(NAME, seed=7)
    for name in ("south_late_share", "west_late_orders", "west_part_of_late", "nps_low"):
        assert a.answer(name) != b.answer(name), name


# ------------------------------------------------------ targeted mistakes ---

def test_the_table_size_slips_are_named(lesson) -> None:
    ctx = lesson.context
    assert "columns" in _message(lesson, "n_customers", ctx.load("customers").shape[1])
    assert "counts orders" in _message(lesson, "n_customers", len(ctx.load("orders")))
    near = _message(lesson, "n_customers", lesson.answer("n_customers") + 3)
    assert "columns" not in near and "counts orders" not in near
    assert "(rows, columns)" in _message(lesson, "n_customers", ctx.load("customers").shape)
    assert "(rows, columns)" not in _message(lesson, "n_customers", [1, 2, 3])


def test_the_filter_slips_are_named(lesson) -> None:
    ctx = lesson.context
    assert ">=" in _message(lesson, "south_late_share", py.south_at_or_after(ctx))
    assert "every region" in _message(lesson, "south_late_share", py.overall_late_share(ctx))
    assert "the North late share" in _message(lesson, "south_late_share", py.region_late_share(ctx, "North"))
    assert "percentage" in _message(lesson, "south_late_share", 100 * lesson.answer("south_late_share"))
    near = _message(lesson, "south_late_share", lesson.answer("south_late_share") * 1.03)
    assert ">=" not in near and "region" not in near
    assert lesson.check("south_late_share", f"{100 * lesson.answer('south_late_share'):.4f}%").passed
    orders = py.orders_with_region(ctx)
    south = orders[orders["region"] == "South"]
    assert "True/False" in _message(lesson, "south_late_share", south["late"])
    assert "one per group" in _message(lesson, "south_late_share", orders.groupby("region")["late"].mean())
    assert "table of" in _message(lesson, "south_late_share", south)
    assert "True/False" not in _message(lesson, "south_late_share", south["late"].head(1).astype(float) + 0.5)


def test_the_groupby_slips_are_named(lesson) -> None:
    orders = py.orders_with_region(lesson.context)
    grouped = orders.groupby("region")
    assert ".sum()" in _message(lesson, "late_by_region", grouped["late"].sum())
    assert ".size()" in _message(lesson, "late_by_region", grouped.size())
    assert "percentages" in _message(lesson, "late_by_region", 100 * grouped["late"].mean())
    assert "'segment'" in _message(lesson, "late_by_region", orders.merge(
        datasets.load("customers", seed=lesson.context.seed)[["customer_id", "segment"]],
        on="customer_id").groupby("segment")["late"].mean())
    near = _message(lesson, "late_by_region", grouped["late"].mean() * 1.02)
    assert ".sum()" not in near and ".size()" not in near and "percentages" not in near
    assert lesson.check("late_by_region", grouped["late"].mean().to_frame()).passed
    assert "Series" in _message(lesson, "late_by_region", 0.12)
    everything = grouped[["late", "items", "order_value"]].mean()
    assert "every column" in _message(lesson, "late_by_region", everything)
    assert "every column" not in _message(lesson, "late_by_region", grouped[["items", "order_value"]].mean())


def test_the_worst_region_messages_are_true(lesson) -> None:
    shares = lesson.answer("late_by_region")
    best = shares.idxmin()
    assert "most punctual" in _message(lesson, "worst_region", best)
    middle = shares.sort_values().index[2]
    message = _message(lesson, "worst_region", middle)
    assert "most punctual" not in message and f"{shares[middle]:.1%}" in message
    assert lesson.check("worst_region", lesson.answer("worst_region").lower()).passed


def test_the_count_slips_are_named(lesson) -> None:
    ctx = lesson.context
    assert "share" in _message(lesson, "west_late_orders", py.west_late_share(ctx))
    assert "every West order" in _message(lesson, "west_late_orders", len(py._in(ctx, "West")))
    assert "every region" in _message(lesson, "west_late_orders",
                                      int(py.orders_with_region(ctx)["late"].sum()))
    near = _message(lesson, "west_late_orders", lesson.answer("west_late_orders") + 40)
    assert "share" not in near and "every" not in near
    west = py._in(ctx, "West")
    assert ".sum()" in _message(lesson, "west_late_orders", west["late"])
    assert ".sum()" not in _message(lesson, "west_late_orders", west["late"].head(1).astype(int) + 5)


def test_the_sentence_is_graded_on_its_number(lesson) -> None:
    share = lesson.answer("review_line")
    for good in (f"{share:.1%} of West orders arrived late", f"In the West, {share:.3f} of orders were late",
                 f"{share:.0%} of orders in the west came late"):
        assert lesson.check("review_line", good).passed, good
    assert "percent sign" in _message(lesson, "review_line", f"{share:.1f}% of West orders were late")
    assert "every region" in _message(lesson, "review_line",
                                      f"{py.overall_late_share(lesson.context):.1%} of West orders were late")
    assert "South" in _message(lesson, "review_line",
                               f"{py.south_late_share(lesson.context):.1%} of West orders were late")
    part = py.west_part_of_late(lesson.context)
    assert "part of all late" in _message(lesson, "review_line", f"{part:.1%} of West orders were late")
    count = lesson.answer("west_late_orders")
    assert "how many West orders" in _message(lesson, "review_line", f"{count:,} West orders were late")
    assert "how many West orders" not in _message(lesson, "review_line",
                                                  f"{count + 1:,} West orders were late")
    near = _message(lesson, "review_line", f"{share + 0.02:.1%} of West orders were late")
    assert "percent sign" not in near and "does not match" in near
    assert "no number" in _message(lesson, "review_line", "Many West orders were late this year")
    assert "region" in _message(lesson, "review_line", f"{share:.1%} of orders were late somewhere")
    assert "sentence" in _message(lesson, "review_line", share)
    assert "four words" in _message(lesson, "review_line", f"West {share:.1%}")


def test_the_bug_reading_messages_point_at_the_denominator(lesson) -> None:
    assert "denominator" in _message(lesson, "bug_reading", "A")
    assert "late or not" in _message(lesson, "bug_reading", "C")
    assert lesson.check("bug_reading", "b").passed
    # The line the lesson shows really computes B.
    orders = py.orders_with_region(lesson.context)
    kai = orders.loc[orders["region"] == "West", "late"].sum() / len(orders)
    assert kai == pytest.approx(py.west_late_over_all_orders(lesson.context))


def test_the_part_of_late_slips_are_named(lesson) -> None:
    ctx = lesson.context
    assert "turns it round" in _message(lesson, "west_part_of_late", py.west_late_share(ctx))
    assert "late or not" in _message(lesson, "west_part_of_late", py.west_part_of_orders(ctx))
    assert "every order" in _message(lesson, "west_part_of_late", py.west_late_over_all_orders(ctx))
    near = _message(lesson, "west_part_of_late", lesson.answer("west_part_of_late") * 0.97)
    assert "turns" not in near and "late or not" not in near and "every order" not in near


@pytest.mark.parametrize("seed", [42, 7, 2024])
def test_the_decision_table_holds_on_the_course_seeds(seed: int) -> None:
    from tests import test_decisions

    test_decisions.test_decision_table(NAME, "fix_first", seed)


def test_the_decision_follows_the_evidence_not_a_fixed_answer() -> None:
    """With lateness spread evenly, the same rule says to spread the fix."""
    from pmkit.exercises.engine import Context

    ctx = Context(NAME, 42)
    regions = np.repeat(list(py.REGIONS), 100)
    late = np.tile(np.arange(100) < 10, len(py.REGIONS))
    late[regions == "West"] = np.arange(100) < 14  # the worst, but not concentrated
    ctx._cache["orders_with_region"] = pd.DataFrame({"region": regions, "late": late})
    ev = py.fix_first_evidence(ctx)
    assert ev.call == "spread the fix evenly"
    assert ev.facts[0].estimate == pytest.approx(14 / 54)
    answer = (f"spread the fix evenly: the West holds {ev.facts[0].estimate:.1%} of late orders "
              f"with {ev.facts[1].estimate:.1%} of all orders")
    assert py.decision(py.FIX_OPTIONS, py.fix_first_evidence)(answer, ev.call, ctx).correct
    assert start(NAME, seed=7).answer("fix_first") == py.fix_first_evidence(Context(NAME, 7)).call


def test_the_result_reading_slips_are_named(lesson) -> None:
    ctx = lesson.context
    result = py.year_nps(ctx, py.NPS_YEAR)
    assert "upper end" in _message(lesson, "nps_low", result.ci[1])
    assert "score itself" in _message(lesson, "nps_low", result.score)
    assert "2023" in _message(lesson, "nps_low", py.year_nps(ctx, 2023).ci[0])
    assert "every answer" in _message(lesson, "nps_low",
                                      __import__("pmkit").customer.nps(ctx.load("nps")["score"]).ci[0])
    near = _message(lesson, "nps_low", result.ci[0] - 0.5)
    assert not any(word in near for word in ("upper", "score itself", "2023", "every answer"))
    assert "pair (low, high)" in _message(lesson, "nps_low", result.ci)
    assert "pair" not in _message(lesson, "nps_low", (result.ci[0], result.ci[1], 0.0))


# ------------------------------------------------------- the notebook runs ---

@pytest.mark.parametrize("seed", [7, 2024])
def test_master_passes_every_check_with_another_seed(seed: int, tmp_path: Path) -> None:
    statuses = run_notebook(ROOT / "solutions" / f"{NAME}.ipynb", tmp_path, seed=seed)
    assert statuses == dict.fromkeys(start(NAME).exercises, "correct")


def test_the_truth_reveal_shows_the_generators_chance_not_the_sample_share() -> None:
    nb = json.loads((ROOT / "solutions" / f"{NAME}.ipynb").read_text(encoding="utf-8"))
    reveal = next(c for c in nb["cells"]
                  if c["cell_type"] == "code" and "datasets.truth(" in "".join(c["source"]))
    shown = json.dumps(reveal["outputs"])
    truth = datasets.truth("orders", seed=42)["late_probability_by_region"]
    estimate = start(NAME, seed=42).answer("late_by_region")
    orders = py.orders_with_region(start(NAME, seed=42).context)
    dates = orders["order_date"]
    off_peak = orders[~((dates.dt.month == 12) | ((dates.dt.month == 11) & (dates.dt.day >= 15)))]
    sample = off_peak.groupby("region")["late"].mean()
    for region, chance in truth.items():
        assert f"{chance:.1%}" in shown and f"{sample[region]:.1%}" in shown
        assert not np.isclose(chance, estimate[region], atol=5e-4), region
        assert chance != sample[region], region  # a population chance, not the sample share again


def test_the_lesson_is_found_by_the_build_the_syllabus_and_the_readme() -> None:
    assert ROOT / "solutions" / f"{NAME}.ipynb" in notebooks.masters()
    meta = read_lesson_meta(ROOT / "lessons" / f"{NAME}.ipynb")
    assert meta.module == "0 · Getting started" and meta.prerequisites == ("00_welcome",)
    from pmkit.course.site import index_page

    metas = [read_lesson_meta(p) for p in sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))]
    index = index_page(metas)
    assert 'href="01_python_for_pms.html"' in index
    assert index.index("01_python_for_pms.html") < index.index("02_voice_of_the_customer.html")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(r"^\| 0 · Getting started \| `00_welcome`, `01_python_for_pms` \|", readme, re.M)


# --------------------------------------------------------- the cheat sheet ---

MODULES = ("customer", "metrics", "recommend", "experiment", "agile", "longterm", "datasets",
           "display", "widgets", "progress", "exercises")


def pmkit_calls(code: str) -> set[str]:
    """The pmkit functions a piece of lesson code calls, as 'module.name' ('pmkit.show', 'lesson.check').

    Names are resolved through the cell's imports (``from pmkit import customer``,
    ``from pmkit.display import new_axes``, ``import pmkit``). Calls into a lesson's own
    exercise module or a dataset generator (``pmkit.exercises.topic.helper``) are lesson
    internals, not toolbox calls, and are left out.

    >>> sorted(pmkit_calls("import pmkit\\nfrom pmkit import customer as c\\n"
    ...                    "from pmkit.display import new_axes\\nc.nps([1]).summary()\\n"
    ...                    "new_axes()\\npmkit.show(1)\\nlesson.hint('x')\\nlen([])"))
    ['customer.nps', 'display.new_axes', 'lesson.hint', 'pmkit.show']
    """
    tree = compile(code, "<lesson>", "exec", flags=ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    alias: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for name in node.names:
                if name.name.split(".")[0] == "pmkit":
                    alias[name.asname or "pmkit"] = name.name if name.asname else "pmkit"
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "pmkit":
            for name in node.names:
                alias[name.asname or name.name] = f"{node.module}.{name.name}"
    found = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        parts, func = [], node.func
        while isinstance(func, ast.Attribute):
            parts.insert(0, func.attr)
            func = func.value
        if not isinstance(func, ast.Name):
            continue
        if func.id == "lesson" and len(parts) == 1:
            found.add(f"lesson.{parts[0]}")
        elif func.id in alias:
            path = [*alias[func.id].split("."), *parts]
            if len(path) == 2:
                found.add(".".join(path))
            elif len(path) == 3 and path[1] in MODULES:
                found.add(".".join(path[1:]))
    return found


def _lesson_code(path: Path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")


def test_the_call_finder_resolves_the_lessons_imports() -> None:
    calls = pmkit_calls(_lesson_code(ROOT / "lessons" / f"{NAME}.ipynb"))
    assert {"customer.nps", "datasets.load", "datasets.truth", "exercises.start", "pmkit.show",
            "display.new_axes", "widgets.explorer", "widgets.Slider", "lesson.check",
            "lesson.hint", "customer.nps_by_segment"} <= calls


@pytest.mark.parametrize("lesson_path", sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb")),
                         ids=lambda p: p.stem)
def test_the_cheat_sheet_lists_every_pmkit_call_a_lesson_makes(lesson_path: Path) -> None:
    sheet = CHEATSHEET.read_text(encoding="utf-8")
    missing = sorted(call for call in pmkit_calls(_lesson_code(lesson_path))
                     if not re.search(rf"(?<![\w.])(?:pmkit\.)?{re.escape(call)}\b", sheet))
    assert not missing, f"add to docs/cheatsheet.md: {missing}"


def test_every_pmkit_name_the_cheat_sheet_mentions_exists() -> None:
    sheet = CHEATSHEET.read_text(encoding="utf-8")
    mentioned = set(re.findall(rf"(?<![\w.])(?:pmkit\.)?({'|'.join(MODULES)})\.([A-Za-z_]\w*)", sheet))
    assert len(mentioned) > 60
    for module, name in sorted(mentioned):
        assert hasattr(importlib.import_module(f"pmkit.{module}"), name), f"{module}.{name}"
    import pmkit

    for name in set(re.findall(r"(?<![\w.])pmkit\.([A-Za-z_]\w*)", sheet)):
        assert hasattr(pmkit, name), f"pmkit.{name}"


def test_the_cheat_sheet_examples_run(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PMKIT_WIDGETS", "off")
    monkeypatch.setenv("PMKIT_PROGRESS", str(tmp_path / "progress.jsonl"))
    import matplotlib

    matplotlib.use("Agg")
    blocks = re.findall(r"```python\n(.*?)\n```", CHEATSHEET.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 8
    namespace: dict = {}
    for index, block in enumerate(blocks):
        exec(compile(block, f"cheatsheet block {index}", "exec"), namespace)
    import matplotlib.pyplot as plt

    plt.close("all")
