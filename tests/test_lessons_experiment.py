"""Module 3 lessons (09, 10, 12) run under papermill with other seeds, and every check passes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pmkit.exercises.engine import start
from tests.notebook_runs import run_notebook

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ["09_ab_testing", "10_trustworthy_experiments", "12_portfolio_of_bets"]
OTHER_SEEDS = [7, 2026]


@pytest.mark.parametrize("seed", OTHER_SEEDS)
@pytest.mark.parametrize("name", LESSONS)
def test_master_passes_every_check_with_another_seed(name: str, seed: int, tmp_path: Path) -> None:
    statuses = run_notebook(ROOT / "solutions" / f"{name}.ipynb", tmp_path, seed=seed)
    assert set(statuses) == set(start(name, seed=seed).exercises)
    assert all(status == "correct" for status in statuses.values()), statuses


@pytest.mark.parametrize("name", LESSONS)
def test_expected_answers_change_with_the_seed(name: str) -> None:
    """Answers are computed from each seed's data, never typed in."""
    answers = {}
    for seed in (None, OTHER_SEEDS[0]):
        lesson = start(name, seed=seed)
        answers[seed] = {n: lesson.answer(n) for n in lesson.exercises
                         if isinstance(lesson.answer(n), float)}
    assert answers[None] and answers[None] != answers[OTHER_SEEDS[0]]


def test_the_checkers_catch_the_tempting_slips() -> None:
    """A wrong-but-plausible answer gets the targeted message, not a generic one."""
    ab = start("09_ab_testing")
    pooled = ab.context.load("experiments").query("experiment == 'free_shipping_banner'")
    feedback = ab.check("baseline_rate", float(pooled["converted"].mean()))
    assert feedback.status == "incorrect" and "both arms" in feedback.message
    total = 2 * ab.answer("users_needed")
    assert "both arms together" in ab.check("users_needed", total).message
    wrong_call = "don't ship" if ab.answer("launch_call") == "ship" else "ship"
    assert ab.check("launch_call", f"{wrong_call}: the numbers say so clearly").status == "incorrect"

    trust = start("10_trustworthy_experiments")
    from pmkit.exercises import trustworthy_experiments as te

    assert "metric" in trust.check("srm_p_value", te.revenue_p_value(trust.context)).message
    assert "once" in trust.check("peeking_rate", te.one_look_rate(trust.context)).message
    assert "square" in trust.check("variance_reduction",
                                   te.correlation_only(trust.context)).message
    ship = trust.check("upsell_call", "ship: revenue went up a lot, p is tiny")
    assert ship.status == "incorrect" and trust.answer("upsell_call") != "ship"


# ------------------------------------------------------------------ lesson 12 --
# Every targeted message is tried with the mistake it names and with a near miss that must not
# trigger it.

from pmkit.exercises import portfolio_of_bets as bets_lesson  # noqa: E402

BETS = "12_portfolio_of_bets"


@pytest.fixture(scope="module")
def bets():
    return start(BETS, seed=7)


def _says(feedback, *words: str) -> bool:
    return feedback.status == "incorrect" and all(w in feedback.message for w in words)


BET_MISTAKES = [
    ("pilot_users", bets_lesson.pilot_users_total, "both arms"),
    ("pilot_users", bets_lesson.pilot_users_relative, "relative=False"),
    ("portfolio_ev", bets_lesson.portfolio_ev_with_medians, "median"),
    ("portfolio_ev", bets_lesson.portfolio_ev_without_cost, "subtract what the bets cost"),
    ("chance_all_fail", bets_lesson.average_failure_rate, "average bet"),
    ("chance_all_fail", bets_lesson.one_minus_total_chance, "do not add up"),
    ("corrected_ev", bets_lesson.pitched_plan_ev, "as pitched"),
    ("corrected_ev", bets_lesson.corrected_ev_track_only, "not the network"),
    ("corrected_ev", bets_lesson.corrected_ev_network_only, "not the track record"),
    ("logistics_all_fail", bets_lesson.logistics_all_fail_independent, "independent"),
    ("logistics_all_fail", bets_lesson.logistics_all_fail_pitched, "pitched chances"),
    ("pilot_value", bets_lesson.pilot_value_perfect, "perfect pilot"),
    ("pilot_value", bets_lesson.pilot_value_after_cost, "already subtracts"),
    ("pilot_value", bets_lesson.pilot_value_total, "subtract the value of deciding now"),
]


@pytest.mark.parametrize(("name", "wrong", "words"), BET_MISTAKES,
                         ids=[f"{n}-{w.__name__}" for n, w, _ in BET_MISTAKES])
def test_bets_targeted_messages_fit_their_mistake_and_not_a_near_miss(bets, name, wrong, words) -> None:
    value = wrong(bets.context)
    right = bets.answer(name)
    assert abs(value - right) > 0.02 * abs(right) + 0.011, "the mistake must be far from the answer"
    assert _says(bets.check(name, value), words)
    near = value + 0.5 * (right - value)  # halfway to the answer: no longer that slip
    assert words not in bets.check(name, near).message
    assert bets.check(name, right).passed


def test_the_split_and_door_messages_name_the_misreading(bets) -> None:
    assert bets.answer("pilot_split") == "investigate the split"
    assert _says(bets.check("pilot_split", "trust the split"), "sample-ratio mismatch")
    assert bets.check("pilot_split", "Investigate the split").passed
    doors = bets.answer("one_way_doors")
    assert bets.check("one_way_doors", list(reversed(doors))).passed
    adverts = "spend 2 million on a month of TV adverts for voice ordering"
    assert _says(bets.check("one_way_doors", [*doors, adverts]), "expensive is not the same")
    # Near misses: a missing door and a reversible pilot get other messages.
    missing = bets.check("one_way_doors", doors[:2])
    assert _says(missing, "missing") and "expensive" not in missing.message
    test = "show the pharmacy page to 5% of shoppers for two weeks"
    extra = bets.check("one_way_doors", [*doors, test])
    assert _says(extra, "can be undone") and "expensive" not in extra.message
    assert _says(bets.check("one_way_doors", ["build a moon base"]), "not one of the decisions")


@pytest.mark.parametrize("seed", [42, 7, 2024, 1, 2])
def test_the_easy_rule_funds_a_different_and_worse_plan(seed: int) -> None:
    lesson = start(BETS, seed=seed)
    ctx = lesson.context
    bets_table = ctx.load("bets")
    pitched, reranked = bets_lesson.pitched_plan(ctx), bets_lesson.reranked_plan(ctx)
    assert (pitched != reranked).any(), "the two plans must differ"
    # The pitched plan holds every logistics bet: the ranking on pitches rewards the optimists.
    assert pitched[bets_lesson.shared(bets_table)].all()
    # As pitched, every plan looks worth more than it is once corrected.
    assert bets_lesson.pitched_plan_ev(ctx) > 2 * bets_lesson.corrected_ev(ctx)
    assert bets_table.loc[pitched, "cost"].sum() <= bets_lesson.DEFAULTS["budget"]
    ev = bets_lesson.funding_facts(ctx)
    assert ev.call == lesson.answer("funding_call")
    easy = (f"fund the pitched plan: its pitches promise {bets_lesson.pitched_plan_ev(ctx):.0f} "
            "million, far more than the other plan")
    assert lesson.check("funding_call", easy).status == "incorrect"


@pytest.mark.parametrize("seed", [42, 7, 2024])
def test_the_shared_network_makes_failing_together_likelier(seed: int) -> None:
    ctx = start(BETS, seed=seed).context
    together = bets_lesson.logistics_all_fail(ctx)
    # Further apart than the grader's tolerance (0.01), so the two are told apart.
    assert together > bets_lesson.logistics_all_fail_independent(ctx) + 0.02
    # An independent simulation of the same futures.
    table = ctx.load("bets")
    own = (table["p_success"] * bets_lesson.TRACK_RECORD)[bets_lesson.shared(table)].to_numpy()
    rng = np.random.default_rng(11)
    network = rng.random((200_000, 1)) < bets_lesson.NETWORK_CHANCE
    works = (rng.random((200_000, own.size)) < own) & network
    assert (~works.any(axis=1)).mean() == pytest.approx(together, abs=0.005)


def test_a_larger_budget_changes_the_plans_and_the_expected_answers() -> None:
    small, large = start(BETS, seed=7), start(BETS, seed=7)
    large.context.params.update(budget=30.0)
    assert bets_lesson.pitched_plan(large.context).sum() > bets_lesson.pitched_plan(small.context).sum()
    assert bets_lesson.corrected_ev(large.context) != bets_lesson.corrected_ev(small.context)


@pytest.mark.parametrize("seed", [42, 7])
def test_the_truth_reveal_shows_true_chances_not_the_corrected_estimates(seed: int) -> None:
    from pmkit import datasets

    table = datasets.load("bets", seed=seed)
    truth = datasets.truth("bets", seed=seed)
    corrected = bets_lesson.corrected_chances(table).to_numpy()
    true_p = np.array([truth["true_p_success"][str(i)] for i in table["bet_id"]])
    assert not np.allclose(true_p, corrected, atol=1e-3), "the truth must not restate the estimate"
    assert not np.allclose(true_p, table["p_success"], atol=1e-3)
    # Pitches are optimistic: every true chance is below its pitch.
    assert (true_p < table["p_success"]).all()
    # The truth is what the generator drew from, so the correction is right on average only.
    assert true_p.mean() == pytest.approx(corrected.mean(), rel=0.35)


def test_bets_decision_against_the_evidence_gets_a_question(bets) -> None:
    expected = bets_lesson.funding_call(bets.context)
    wrong = next(o for o in bets_lesson.PLANS if o != expected)
    assert _says(bets.check("funding_call", f"{wrong}: it feels right to me"), "?")
    assert bets.check("funding_call", expected).status == "incorrect"  # no reason given
    pitched, reranked = bets_lesson._pitched_run(bets.context), bets_lesson._reranked_run(bets.context)
    argued = (f"{expected}: on the corrected chances the pitched plan is worth "
              f"{pitched.expected_value:.1f} million and the re-ranked plan "
              f"{reranked.expected_value:.1f} million")
    assert bets.check("funding_call", argued).status == "correct"


@pytest.mark.parametrize("answer", [None, "", "seven", float("nan"), -1, 10**400, [1, 2], {"a": 1}])
def test_bets_odd_answers_get_feedback_never_a_traceback(bets, answer) -> None:
    for name, exercise in bets.exercises.items():
        feedback = bets.check(name, answer)
        assert feedback.status in {"incorrect", "not answered", "error"}, name
        assert feedback.message
        assert len(exercise.hints) == 4
