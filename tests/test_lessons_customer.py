"""Module 1 lessons (01-02): other seeds, computed answers, and graders that catch slips."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmkit import customer
from pmkit.exercises import working_backwards as wb
from pmkit.exercises.engine import start
from tests.notebook_runs import run_notebook

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ["04_working_backwards", "02_voice_of_the_customer"]
OTHER_SEEDS = [7, 2026]


@pytest.mark.parametrize("seed", OTHER_SEEDS)
@pytest.mark.parametrize("name", LESSONS)
def test_master_passes_every_check_with_another_seed(name: str, seed: int, tmp_path: Path) -> None:
    master = ROOT / "solutions" / f"{name}.ipynb"
    statuses = run_notebook(master, tmp_path, seed=seed)
    assert set(statuses) == set(start(name, seed=seed).exercises)
    assert all(status == "correct" for status in statuses.values()), statuses


@pytest.mark.parametrize("name", LESSONS)
def test_expected_answers_change_with_the_seed(name: str) -> None:
    """Answers are computed from each seed's data, never typed in."""
    numbers = {}
    for seed in (None, OTHER_SEEDS[0]):
        lesson = start(name, seed=seed)
        numbers[seed] = {n: lesson.answer(n) for n in lesson.exercises
                         if isinstance(lesson.answer(n), float)}
    assert numbers[None] and numbers[None] != numbers[OTHER_SEEDS[0]]


# ------------------------------------------------------------ 01 graders ---


@pytest.fixture(scope="module")
def lesson01():
    return start("04_working_backwards")


def _prfaq(evidence: str, headline: str = "Basketly ends late delivery") -> customer.PRFAQ:
    return customer.prfaq(
        headline=headline, customer="Weekly shoppers", problem="Orders arrive after the promised day.",
        benefit="Orders arrive when promised.", evidence=evidence, experience="Nothing changes but the date.",
        quotes=[("A shopper", "Finally.")], faq={"Is it free?": "Yes."})


def test_prfaq_grader_wants_numbers_from_the_data(lesson01) -> None:
    ctx = lesson01.context
    share, lost = wb.top_share(ctx), wb.stars_lost(ctx)
    good = _prfaq(f"{share:.1%} of reviews mention it and they lose {lost:.1f} stars.")
    assert lesson01.check("my_prfaq", good).passed
    as_fraction = _prfaq(f"A share of {share:.3f} of reviews, {lost:.2f} stars lost.")
    assert lesson01.check("my_prfaq", as_fraction).passed
    made_up = lesson01.check("my_prfaq", _prfaq("40% of reviews mention it and they lose 3.9 stars."))
    assert not made_up.passed and "0 of those match the data" in made_up.message
    one_number = lesson01.check("my_prfaq", _prfaq(f"{share:.1%} of reviews mention it."))
    assert not one_number.passed and "at least two numbers" in one_number.message
    off_topic = _prfaq(f"{share:.1%} and {lost:.1f}.", headline="Basketly launches AR try-on")
    assert "top pain point" in lesson01.check("my_prfaq", off_topic).message
    assert "customer.prfaq" in lesson01.check("my_prfaq", {"headline": "x"}).message


def test_lesson01_spots_the_common_slips(lesson01) -> None:
    ctx = lesson01.context
    assert "count of reviews" in lesson01.check("top_share", wb.top_mentions(ctx)).message
    assert "1- and 2-star" in lesson01.check("top_share", wb.top_share_among_unhappy(ctx)).message
    assert "no theme at all" in lesson01.check("stars_lost", wb.stars_lost_vs_everyone(ctx)).message
    assert "perfect 5 stars" in lesson01.check("stars_lost", wb.stars_lost_vs_five(ctx)).message
    assert ">" in lesson01.check("late_orders", wb.late_orders_or_on_the_day(ctx)).message
    wrong_theme = next(t for t in customer.LEXICON if t != wb.top_problem(ctx))
    assert "frequency × stars lost" in lesson01.check("top_problem", wrong_theme).message
    pushed_back = lesson01.check("which_prfaq", "build ar try-on: the competitor has it")
    assert not pushed_back.passed and "ask for AR try-on?" in pushed_back.message
    assert not lesson01.check("which_prfaq", "fix deliveries").passed  # a call without a reason


def test_the_ar_draft_fails_on_evidence_only() -> None:
    with pytest.raises(ValueError, match="cite at least one number"):
        customer.prfaq(**wb.AR_DRAFT)
    fixed = {**wb.AR_DRAFT, "evidence": "3 of 10,000 reviews mention AR."}
    assert isinstance(customer.prfaq(**fixed), customer.PRFAQ)


# ------------------------------------------------------------ 02 graders ---

SEEDS02 = (42, 7, 2024)


@pytest.fixture(scope="module", params=SEEDS02)
def lesson02(request):
    return start("02_voice_of_the_customer", seed=request.param)


def test_lesson02_spots_the_common_slips(lesson02) -> None:
    from pmkit.exercises import voice_of_the_customer as voc

    lesson, ctx = lesson02, lesson02.context
    assert "detractors" in lesson.check("nps_score", voc.promoters_only(ctx)).message
    assert "passives" in lesson.check("nps_score", voc.wide_promoters(ctx)).message
    assert "average answer" in lesson.check("nps_score", voc.mean_score(ctx)).message
    assert "fraction" in lesson.check("nps_score", voc.nps_score(ctx) / 100).message
    assert "1.96" in lesson.check("nps_margin", voc.standard_error(ctx)).message
    assert "half" in lesson.check("nps_margin", voc.full_width(ctx)).message
    assert "average answers" in lesson.check("member_gap", voc.mean_score_gap(ctx)).message
    assert "wrong sign" in lesson.check("member_gap", -voc.member_gap(ctx)).message
    assert "hours each" in lesson.check("ticket_top", "where is my order").message
    assert "wrong order" in lesson.check("rice_top", list(reversed(voc.rice_top(ctx)))).message


def test_lesson02_mistake_messages_are_true_and_spare_near_misses(lesson02) -> None:
    from pmkit.exercises import voice_of_the_customer as voc

    lesson, ctx = lesson02, lesson02.context
    cases = {
        "change_margin": [(voc.nps_margin, "one survey's margin"), (voc.margins_added, "Adding the two"),
                          (voc.standard_error, "standard error")],
        "recall_member_late": [(voc.all_late_share, "all orders"),
                               (voc.non_member_late_share, "non-members"),
                               (voc.member_late_share_at_or_after, "rather than >=")],
        "nps_margin": [(voc.standard_error, "1.96"), (voc.full_width, "half")],
    }
    for name, slips in cases.items():
        right = lesson.answer(name)
        assert lesson.check(name, right).passed
        for slip, says in slips:
            assert says in lesson.check(name, slip(ctx)).message, (name, says)
            # A near miss (off by 3%, not the slip) is not told it made that slip.
            assert says not in lesson.check(name, slip(ctx) * 1.03).message, (name, says)
    # The margin of a change is about sqrt(2) times one survey's margin.
    assert voc.change_margin(ctx) == pytest.approx(2 ** 0.5 * voc.nps_margin(ctx), rel=1e-3)


def test_lesson02_warm_up_choice_and_pointed_questions_fit_the_answer(lesson02) -> None:
    from pmkit.exercises import voice_of_the_customer as voc

    lesson, ctx = lesson02, lesson02.context
    assert "pull the mean above" in lesson.check("recall_typical", "mean").message
    assert lesson.check("recall_typical", "Median").passed
    loud, leader = voc._rice_rows(ctx)
    asked = voc._loudest_question(ctx)
    assert f"{int(loud['requests']):,}" in asked and f"{leader['rice']:,.0f}" in asked
    tied = voc._leader_question(ctx)
    assert f"{loud['rice']:,.0f}" in tied and "within a quarter" in tied


def test_lesson02_decayed_delighters_come_from_the_2023_wave(lesson02) -> None:
    from pmkit import datasets
    from pmkit.exercises import voice_of_the_customer as voc

    lesson, ctx = lesson02, lesson02.context
    truth = datasets.truth("kano_2023", seed=ctx.seed)["decayed"]
    faded = sorted(f for f, (then, now) in truth.items() if then == "attractive" and now != "attractive")
    assert voc.decayed(ctx) == faded and lesson.check("decayed", faded).passed
    still = voc.still_attractive(ctx)
    assert still and "still delighters" in lesson.check("decayed", still).message
    assert "still delighters" not in lesson.check("decayed", still[:1]).message  # a near miss


def test_lesson02_region_messages_state_each_regions_true_shares(lesson02) -> None:
    from pmkit.exercises import voice_of_the_customer as voc

    lesson, ctx = lesson02, lesson02.context
    right = voc.detractor_region(ctx)
    frame = voc.answers(ctx)
    detractors = frame[frame["score"] <= 6]["region"].value_counts(normalize=True)
    respondents = frame["region"].value_counts(normalize=True)
    excess = detractors - respondents
    assert right == excess.idxmax()
    assert lesson.check("detractor_region", right).passed
    for region in voc.REGIONS:
        if region == right:
            continue
        message = lesson.check("detractor_region", region).message
        assert f"{100 * detractors[region]:.1f}%" in message
        assert f"{100 * respondents[region]:.1f}%" in message
        if "over-represented" not in message:
            said = "more than" if excess[region] > 0 else "no more than"
            assert said in message


def test_lesson02_bias_prediction_follows_the_truth(lesson02) -> None:
    from pmkit import datasets

    lesson = lesson02
    truth = datasets.truth("nps", seed=lesson.context.seed)
    assert truth["nps"] > truth["population_nps"], "happier customers answer more often"
    assert truth["response_rate_by_group"]["promoter"] > truth["response_rate_by_group"]["detractor"]
    assert lesson.check("respondent_bias", "overstates").passed
    assert "tilted" in lesson.check("respondent_bias", "understates").message
    assert "margin of error covers" in lesson.check("respondent_bias", "about right").message


def test_lesson02_reveals_the_population_nps_not_the_sample_score(lesson02) -> None:
    """The truth reveal shows everyone invited; the survey's score is only an estimate of it."""
    from pmkit import customer, datasets

    seed = lesson02.context.seed
    truth = datasets.truth("nps", seed=seed)
    survey = customer.nps(datasets.load("nps", seed=seed)["score"])
    assert truth["population_nps"] != pytest.approx(survey.score, abs=0.5)
    assert truth["invited"] > survey.n


def test_lesson02_roadmap_call_weighs_rice_against_the_loudest_request(lesson02) -> None:
    from pmkit.exercises import voice_of_the_customer as voc

    lesson, ctx = lesson02, lesson02.context
    loud, leader = voc._rice_rows(ctx)
    assert loud.name != leader.name, "the loudest request is never the RICE leader"
    ev = voc.roadmap_facts(ctx)
    expected = voc.CHOICES[0] if loud["rice"] >= voc.TIE * leader["rice"] else voc.CHOICES[1]
    assert ev.call == expected == lesson.answer("roadmap_call")
    other = next(c for c in voc.CHOICES if c != ev.call)
    argued = (f"{loud.name} has {int(loud['requests']):,} requests and scores {loud['rice']:,.0f} on RICE; "
              f"{leader.name} scores {leader['rice']:,.0f}")
    assert lesson.check("roadmap_call", f"{ev.call}: {argued}").passed
    pushed_back = lesson.check("roadmap_call", f"{other}: {argued}")
    assert not pushed_back.passed and "Your numbers are right" in pushed_back.message
    assert not lesson.check("roadmap_call", f"{ev.call}: it is the loudest request").passed
    # Citing the requests alone leaves out the scores the call rests on.
    alone = lesson.check("roadmap_call", f"{ev.call}: {loud.name} has {int(loud['requests']):,} requests")
    assert not alone.passed and "Missing" in alone.message


def test_the_easy_rule_loses_on_at_least_one_seed() -> None:
    """Following the loudest request is the wrong call on the course's default seed."""
    from pmkit.exercises import voice_of_the_customer as voc

    assert start("02_voice_of_the_customer", seed=42).answer("roadmap_call") == voc.CHOICES[1]
    calls = {start("02_voice_of_the_customer", seed=s).answer("roadmap_call") for s in SEEDS02}
    assert calls == set(voc.CHOICES), "the right call differs between seeds"
