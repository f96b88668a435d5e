"""Module 2 lessons (05-07) run under papermill with other seeds, and every check passes; every
targeted mistake is true, its near miss gets no such message, and the reveals are the truth."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pmkit.exercises import metrics_that_matter as mm
from pmkit.exercises.engine import start
from tests.notebook_runs import run_notebook

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ["05_metrics_that_matter", "06_cohorts_and_retention", "07_recommendations"]
OTHER_SEEDS = [7, 2026]


@pytest.mark.parametrize("seed", OTHER_SEEDS)
@pytest.mark.parametrize("name", LESSONS)
def test_master_passes_every_check_with_another_seed(name: str, seed: int, tmp_path: Path) -> None:
    master = ROOT / "solutions" / f"{name}.ipynb"
    if not master.exists():
        pytest.skip(f"{name} is not written yet")
    statuses = run_notebook(master, tmp_path, seed=seed)
    assert set(statuses) == set(start(name, seed=seed).exercises)
    assert all(status == "correct" for status in statuses.values()), statuses


@pytest.mark.parametrize("name", LESSONS)
def test_expected_answers_change_with_the_seed(name: str) -> None:
    """Answers are computed from each seed's data, never typed in."""
    if not (ROOT / "solutions" / f"{name}.ipynb").exists():
        pytest.skip(f"{name} is not written yet")
    numbers = {}
    for seed in (None, OTHER_SEEDS[0]):
        lesson = start(name, seed=seed)
        numbers[seed] = {n: lesson.answer(n) for n in lesson.exercises
                         if isinstance(lesson.answer(n), float)}
    assert numbers[None] and numbers[None] != numbers[OTHER_SEEDS[0]]


# ------------------------------------------------------------ 05 graders ---


@pytest.fixture(scope="module")
def lesson05():
    return start("05_metrics_that_matter")


def _message(lesson, name, answer) -> str:
    feedback = lesson.check(name, answer)
    assert not feedback.passed, (name, answer)
    return feedback.message


def test_lesson05_numeric_slips_are_named_and_near_misses_are_not(lesson05) -> None:
    ctx = lesson05.context
    cases = {
        "late_q1": [(mm.late_all, "every order"), (mm.late_q1_or_on_the_day, "> not >=")],
        "nps_gap_margin": [(lambda c: mm._nps_margins(c)[1], "one survey's margin"),
                           (lambda c: sum(mm._nps_margins(c)), "add in squares")],
        "web_change_low": [(mm.web_change_point, "point estimate"), (mm.web_change_high, "upper end"),
                           (mm.all_devices_change, "every device")],
        "redesign_effect": [(mm.web_change_point, "Tablets got the promotion"),
                            (mm.tablet_change, "tablet app's change"),
                            (mm.all_devices_change, "every device together")],
    }
    for name, slips in cases.items():
        right = lesson05.answer(name)
        assert lesson05.check(name, right).passed
        for wrong, phrase in slips:
            assert phrase in _message(lesson05, name, wrong(ctx)), (name, phrase)
        # A near miss (5% off the right answer) is not any of the named slips.
        near = _message(lesson05, name, right * 1.05)
        assert not any(phrase in near for _, phrase in slips), (name, near)


def test_lesson05_lists_and_choices_get_true_messages(lesson05) -> None:
    inputs = lesson05.answer("input_metrics")
    assert lesson05.check("input_metrics", list(reversed(inputs))).passed
    assert "revenue is an output" in _message(lesson05, "input_metrics", [*inputs, "revenue"])
    assert "missing" in _message(lesson05, "input_metrics", inputs[:2])
    assert "`metric_menu`" in _message(lesson05, "input_metrics", "revenue")
    assert "output" not in _message(lesson05, "input_metrics", inputs[:2])
    assert "not on the list" in _message(lesson05, "input_metrics", ["conversion"])
    guard = lesson05.answer("guardrails")
    assert lesson05.check("guardrails", guard).passed
    assert "primary metric" in _message(lesson05, "guardrails", [*guard, "checkout completion"])
    assert "could harm" in _message(lesson05, "guardrails", [*guard, "sessions per day"])
    near = _message(lesson05, "guardrails", guard[:2])
    assert "missing" in near and "primary" not in near
    assert "buy sessions" in _message(lesson05, "north_star", "sessions per week")
    assert "Revenue is the result" in _message(lesson05, "north_star", "revenue per week")
    assert lesson05.check("north_star", "Weekly customers who complete a purchase").passed


def test_lesson05_easy_rule_is_not_the_call(lesson05) -> None:
    ctx = lesson05.context
    web = mm.web_change(ctx)
    assert web.ci[0] > 0  # conversion rose after launch, clearly ...
    assert lesson05.answer("redesign_call") == "run an a/b test"  # ... and that is not the call
    easy = _message(lesson05, "redesign_call",
                    f"keep the redesign: web checkout completion rose {100 * web.difference:.1f} points")
    assert "tablets, which never got the redesign" in easy


def test_lesson05_reveal_shows_the_population_truth_not_the_estimate(lesson05) -> None:
    ctx = lesson05.context
    truth = ctx.truth("sessions")
    assert truth["redesign_effect_on_checkout_completion"] != pytest.approx(mm.redesign_effect(ctx), abs=1e-3)
    tablet = truth["checkout_completion_by_device"]["tablet"]
    assert tablet["after"] - tablet["before"] != pytest.approx(mm.tablet_change(ctx), abs=1e-4)


# ------------------------------------------------------- 06 and 07: targeted mistakes ---

from pmkit.exercises import cohorts_and_retention as co  # noqa: E402
from pmkit.exercises import recommendations as rec  # noqa: E402

SEEDS = (42, 7, 2024)
# (lesson, exercise, the slip's value, words its message must use): each slip is tried as
# made, and as a near miss (3% off) that must not get the message.
NUMERIC_SLIPS = {
    "06_cohorts_and_retention": [
        ("late_recall", co.late_share_on_the_day, "on the promised day"),
        ("nps_recall", co.promoter_share, "promoters alone"),
        ("second_month", co.first_month, "period 0"),
        ("member_year", co.member_year_as_churned, "share who left"),
        ("member_year", co.member_year_early, "month 11"),
        ("censored_share", co.censored_cohort_share, "share of cohorts"),
        ("censored_share", co.member_year_as_churned, "who left by month 12"),
        ("fee_difference", co.fee_difference_reversed, "old minus new"),
        ("fee_mde", co.fee_half_width, "half-width"),
        ("joiners_change", co.joiners_change_all, "same number of months"),
        ("join_rate_change", co.join_rate_pooled, "average of the twelve monthly rates"),
        ("join_rate_change", co.joiners_change, "count of joiners"),
    ],
    "07_recommendations": [
        ("conversion_recall", rec.conversion_from_views, "viewed a product"),
        ("cosine_pair", rec.jaccard_pair, "Jaccard"),
        ("cosine_pair", rec.shared_buyers, "number of shared buyers"),
        ("pair_lift", rec.pair_lift_without_base, "divides it by the share of all"),
        ("pair_lift", rec.cosine_pair, "cosine similarity"),
        ("popular_pages", rec.popular_slots, "every slot"),
        ("hit_rate", rec.baseline_hit_rate, "best-sellers' hit rate"),
        ("hit_rate", rec.hit_rate_at_20, "k = 20"),
        ("lift", rec.lift_as_difference, "the difference"),
    ],
}
CASES = [(lesson, *slip) for lesson, slips in NUMERIC_SLIPS.items() for slip in slips]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("lesson_name", "exercise", "slip", "says"), CASES,
                         ids=[f"{c[1]}-{c[2].__name__}" for c in CASES])
def test_module_two_numeric_mistakes_are_named_and_near_misses_are_not(
        lesson_name: str, exercise: str, slip, says: str, seed: int) -> None:
    lesson = start(lesson_name, seed=seed)
    wrong = slip(lesson.context)
    assert abs(wrong - lesson.answer(exercise)) > 1e-3 * max(1.0, abs(wrong)), "the slip is right"
    made = lesson.check(exercise, wrong)
    assert made.status == "incorrect" and says in made.message, made.message
    near = lesson.check(exercise, wrong * 0.97)
    assert says not in near.message, near.message


CHOICE_SLIPS = [
    ("06_cohorts_and_retention", "best_segment", "bargain", "Bargain hunters", "family"),
    ("07_recommendations", "first_document", "technical design", "how to build", "business case"),
    ("07_recommendations", "first_document", "A/B test plan", "before anything is built",
     "technical design"),
    ("07_recommendations", "first_document", "business case", "comes later", "A/B test plan"),
    ("07_recommendations", "test_unit", "session", "visits twice", "product page"),
    ("07_recommendations", "test_unit", "product page", "browses many pages", "session"),
]


@pytest.mark.parametrize(("lesson_name", "exercise", "answer", "says", "other"), CHOICE_SLIPS)
def test_module_two_choice_mistakes_are_named_only_for_their_answer(
        lesson_name: str, exercise: str, answer: str, says: str, other: str) -> None:
    for seed in SEEDS:
        lesson = start(lesson_name, seed=seed)
        if lesson.answer(exercise) in (answer, other):
            continue  # the slip is the right answer on this seed: nothing to name
        assert says in lesson.check(exercise, answer).message
        assert says not in lesson.check(exercise, other).message


def test_the_bargain_message_is_true_on_every_seed() -> None:
    for seed in SEEDS:
        lesson = start("06_cohorts_and_retention", seed=seed)
        message = lesson.check("best_segment", "bargain").message
        largest = co.largest_segment(lesson.context) == "bargain"
        assert ("largest segment" in message) is largest


# ------------------------------------------------------------ 06 and 07: truth reveals ---

@pytest.mark.parametrize("seed", SEEDS)
def test_06_truth_is_the_generator_hazard_not_the_measured_one(seed: int) -> None:
    """The reveal puts the population cancellation risk beside the one measured from cohorts."""
    lesson = start("06_cohorts_and_retention", seed=seed)
    truth = lesson.context.truth("membership")["hazard_by_tenure"][:13]
    rates = co.member_cohorts(lesson.context).curve().rates
    measured = [1 - rates[t + 1] / rates[t] for t in range(13)]
    assert truth != pytest.approx(measured, abs=1e-6)  # not the sample statistic restated
    assert truth == pytest.approx(measured, abs=0.03)  # but the cohorts estimate it
    change = lesson.context.truth("membership")["fee_change"]
    # The fee's true effects are the generator's, not the cohorts' estimates of them.
    assert change["effect_on_churn"] != pytest.approx(co.fee_difference(lesson.context), abs=1e-4)
    assert change["effect_on_joining"] != pytest.approx(co.join_rate_change(lesson.context), abs=1e-4)


@pytest.mark.parametrize("seed", SEEDS)
def test_07_truth_is_the_hidden_cluster_the_table_does_not_hold(seed: int) -> None:
    """The reveal judges shelves by hidden clusters; the best-seller's shelf is the biased one."""
    lesson = start("07_recommendations", seed=seed)
    ctx = lesson.context
    assert "cluster" not in ctx.load("products").columns
    cluster = {int(p): c for p, c in ctx.truth("purchases")["cluster_of_product"].items()}
    sim = rec.similarity(ctx)
    best = rec.best_seller(ctx)
    own = sum(cluster[int(p)] == cluster[best] for p in sim.similar(best, k=5).items) / 5
    pairs = sim.to_frame(k=5)
    overall = float(np.mean([cluster[int(a)] == cluster[int(b)]
                             for a, b in zip(pairs["item"], pairs["neighbour"], strict=True)]))
    assert own < overall
    assert overall != pytest.approx(ctx.truth("order_lines")["same_cluster_probability"])


def test_06_a_null_read_as_no_effect_fails_whatever_the_call() -> None:
    """The easy rule (p > 0.05, so the fee did no harm) never passes."""
    for seed in SEEDS:
        lesson = start("06_cohorts_and_retention", seed=seed)
        r = co.fee_comparison(lesson.context)
        for call in co.FEE_OPTIONS:
            text = (f"{call}: month-12 retention showed no change, {100 * r.difference:+.1f} points, "
                    f"p = {r.p_value:.2f}, so the fee did no harm")
            assert lesson.check("fee_call", text).status == "incorrect"


def test_07_an_offline_win_is_not_a_launch() -> None:
    for seed in SEEDS:
        lesson = start("07_recommendations", seed=seed)
        model, baseline = rec.evaluation(lesson.context).at(rec.SHELF)
        popular = rec.popular_pages(lesson.context)
        text = (f"launch the shelf: the model hit rate is {100 * model:.1f}% against a best-seller "
                f"hit rate of {100 * baseline:.1f}%; {100 * popular:.1f}% of pages put a best-seller "
                "first")
        verdict = lesson.check("shelf_call", text)
        assert verdict.status == "incorrect"
        assert "without any shelf" in verdict.message and "Your numbers are right" in verdict.message
