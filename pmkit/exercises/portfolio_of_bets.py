"""Exercises for lesson 12_portfolio_of_bets: expected value, shared risks, a budget, a pilot.

The notebook copies its parameters (budget, big-win multiple, simulations) into
``lesson.context.params`` so the checks compute exactly what the learner computes. The
scenario constants below (the track record, the delivery network's chance, the pilot's
accuracy, the warm-up's test) are imported by the lesson, so the story and the checker always
talk about the same numbers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pmkit import experiment
from pmkit import longterm as lt
from pmkit.datasets.longterm import NETWORK_CHANCE, TRACK_RECORD
from pmkit.exercises.engine import Context, Exercise, Verdict, choice, decision, ladder, number
from pmkit.exercises.evidence import Evidence, Fact

DEFAULTS: dict[str, float] = {
    "budget": 15.0,           # USD millions the board can spend this year
    "big_win": 10.0,          # a big win pays at least this many times its cost
    "n_sims": 20_000,         # simulated futures
}
#: The area whose bets all need the new delivery network.
SHARED_AREA = "logistics"
#: The network pilot: it says "go" this often when the network would work, and when it would not.
PILOT_SENSITIVITY = 0.8
PILOT_FALSE_ALARM = 0.3
PILOT_COST = 0.5  # USD millions
#: Warm-up: a pilot A/B test of subscription refills (lesson 09) and its traffic split (lesson 10).
PILOT_BASELINE, PILOT_MDE = 0.20, 0.02
PILOT_SPLIT = (10_000, 10_600)
#: One-way and two-way doors: decisions the board faces this year.
DOORS = {
    "sign a ten-year lease on a new fulfilment centre": True,
    "show the pharmacy page to 5% of shoppers for two weeks": False,
    "sell the old delivery vans to pay for drones": True,
    "change the price of next-day delivery in one region": False,
    "launch under a new brand name in a new country": True,
    "spend 2 million on a month of TV adverts for voice ordering": False,
}
PLANS = ("fund the pitched plan", "fund the re-ranked plan")


def param(ctx: Context, key: str) -> float:
    return float(ctx.params.get(key, DEFAULTS[key]))


def _bets(ctx: Context) -> pd.DataFrame:
    return ctx.load("bets")


def mean_payoff(bets: pd.DataFrame) -> pd.Series:
    """Average payoff if a bet works: a lognormal's mean is its median × exp(σ²/2)."""
    return bets["payoff_median"] * np.exp(bets["payoff_sigma"] ** 2 / 2)


def expected_values(bets: pd.DataFrame) -> pd.Series:
    """Each bet's expected value as pitched: chance × mean payoff − cost."""
    return bets["p_success"] * mean_payoff(bets) - bets["cost"]


def shared(bets: pd.DataFrame) -> pd.Series:
    """True for the bets that need the new delivery network."""
    return bets["area"] == SHARED_AREA


def corrected_chances(bets: pd.DataFrame) -> pd.Series:
    """Each pitch scaled by the track record; the logistics bets also need the network."""
    return bets["p_success"] * TRACK_RECORD * np.where(shared(bets), NETWORK_CHANCE, 1.0)


def corrected_values(bets: pd.DataFrame) -> pd.Series:
    return corrected_chances(bets) * mean_payoff(bets) - bets["cost"]


# ------------------------------------------------------------------ warm-up


def pilot_users(ctx: Context) -> int:
    return experiment.sample_size(PILOT_BASELINE, PILOT_MDE).per_arm


def pilot_users_total(ctx: Context) -> float:
    return float(experiment.sample_size(PILOT_BASELINE, PILOT_MDE).total)


def pilot_users_relative(ctx: Context) -> float:
    return float(experiment.sample_size(PILOT_BASELINE, PILOT_MDE, relative=True).per_arm)


def split_check(ctx: Context) -> experiment.SampleRatioCheck:
    return experiment.srm_check(list(PILOT_SPLIT))


def split_call(ctx: Context) -> str:
    return "trust the split" if split_check(ctx).passed else "investigate the split"


def _trust_message(ctx: Context) -> str:
    check = split_check(ctx)
    return (f"The arms differ by only {PILOT_SPLIT[1] / PILOT_SPLIT[0] - 1:.0%}, but with "
            f"{sum(PILOT_SPLIT):,} users a split that uneven has p = {check.p_value:.1g} under a "
            "fair coin: a sample-ratio mismatch. Find its cause before reading any metric.")


def _investigate_message(ctx: Context) -> str:
    return (f"The sample-ratio check gives p = {split_check(ctx).p_value:.2f}: a split like this "
            "is what a fair coin produces. What makes you doubt it?")


# ------------------------------------------------------------------ the portfolio


def portfolio_ev(ctx: Context) -> float:
    return float(expected_values(_bets(ctx)).sum())


def portfolio_ev_with_medians(ctx: Context) -> float:
    b = _bets(ctx)
    return float((b["p_success"] * b["payoff_median"] - b["cost"]).sum())


def portfolio_ev_without_cost(ctx: Context) -> float:
    b = _bets(ctx)
    return float((b["p_success"] * mean_payoff(b)).sum())


def chance_all_fail(ctx: Context) -> float:
    return float(np.prod(1 - _bets(ctx)["p_success"]))


def average_failure_rate(ctx: Context) -> float:
    return float((1 - _bets(ctx)["p_success"]).mean())


def one_minus_total_chance(ctx: Context) -> float:
    return float(1 - _bets(ctx)["p_success"].sum())


# ------------------------------------------------------------------ the budget


def pitched_plan(ctx: Context) -> pd.Series:
    """The budget review's plan: the pitches ranked by expected value per dollar."""
    b = _bets(ctx)
    return pd.Series(lt.fund_within_budget(expected_values(b), b["cost"], param(ctx, "budget")),
                     index=b.index)


def reranked_plan(ctx: Context) -> pd.Series:
    """The same rule on the corrected chances."""
    b = _bets(ctx)
    return pd.Series(lt.fund_within_budget(corrected_values(b), b["cost"], param(ctx, "budget")),
                     index=b.index)


def corrected_ev(ctx: Context) -> float:
    """The pitched plan's expected value once its chances are corrected."""
    b = _bets(ctx)
    return float(corrected_values(b)[pitched_plan(ctx)].sum())


def _plan_value(ctx: Context, chances: pd.Series) -> float:
    b = _bets(ctx)
    funded = pitched_plan(ctx)
    return float((chances * mean_payoff(b) - b["cost"])[funded].sum())


def corrected_ev_track_only(ctx: Context) -> float:
    return _plan_value(ctx, _bets(ctx)["p_success"] * TRACK_RECORD)


def corrected_ev_network_only(ctx: Context) -> float:
    b = _bets(ctx)
    return _plan_value(ctx, b["p_success"] * np.where(shared(b), NETWORK_CHANCE, 1.0))


def pitched_plan_ev(ctx: Context) -> float:
    return float(expected_values(_bets(ctx))[pitched_plan(ctx)].sum())


def logistics_all_fail(ctx: Context) -> float:
    """All three fail when the network is not live, or when it is and each fails on its own."""
    b = _bets(ctx)
    own = (b["p_success"] * TRACK_RECORD)[shared(b)]
    return float((1 - NETWORK_CHANCE) + NETWORK_CHANCE * np.prod(1 - own))


def logistics_all_fail_independent(ctx: Context) -> float:
    return float(np.prod(1 - corrected_chances(_bets(ctx))[shared(_bets(ctx))]))


def logistics_all_fail_pitched(ctx: Context) -> float:
    b = _bets(ctx)
    return float(np.prod(1 - b["p_success"][shared(b)]))


def simulate(ctx: Context, funded: pd.Series) -> lt.PortfolioOutcome:
    """The funded bets on corrected chances, the logistics bets sharing the network."""
    b = _bets(ctx)[funded]
    return lt.portfolio_of_bets(
        b["cost"], b["p_success"] * TRACK_RECORD, b["payoff_median"], b["payoff_sigma"],
        needs=shared(b).to_numpy(), needs_chance=NETWORK_CHANCE, big_win=param(ctx, "big_win"),
        n_sims=int(param(ctx, "n_sims")), seed=ctx.seed or 0)


def _pitched_run(ctx: Context) -> lt.PortfolioOutcome:
    return ctx.cached(("run", "pitched", param(ctx, "budget")), lambda: simulate(ctx, pitched_plan(ctx)))


def _reranked_run(ctx: Context) -> lt.PortfolioOutcome:
    return ctx.cached(("run", "reranked", param(ctx, "budget")),
                      lambda: simulate(ctx, reranked_plan(ctx)))


# ------------------------------------------------------------------ doors and pilots


def one_way_doors(ctx: Context) -> list[str]:
    return [d for d, one_way in DOORS.items() if one_way]


def _grade_doors(answer: Any, expected: Any, ctx: Context) -> Verdict:
    if isinstance(answer, str) or not isinstance(answer, list | tuple | set):
        return Verdict(False, "Give a list of decisions, each copied from `DOORS`.")
    given = [str(a) for a in answer]
    unknown = [g for g in given if g not in DOORS]
    if unknown:
        return Verdict(False, f"{unknown[0]!r} is not one of the decisions in `DOORS`; copy the text.")
    if sorted(set(given)) == sorted(expected):
        return Verdict(True, f"Yes: {len(expected)} one-way doors. Decide those slowly; the rest fast.")
    costly = "spend 2 million on a month of TV adverts for voice ordering"
    if costly in given:
        return Verdict(False, "The TV adverts cost a lot, but expensive is not the same as "
                              "irreversible: you can stop after a week. Which decisions can you "
                              "not walk back?")
    missing = [e for e in expected if e not in given]
    if missing:
        return Verdict(False, f"{len(missing)} one-way door(s) missing: for each decision ask "
                              "whether you could undo it next month, and at what cost.")
    return Verdict(False, f"{next(g for g in given if g not in expected)!r} can be undone: a "
                          "small, time-boxed test is a two-way door.")


_grade_doors.mistakes = ("treating an expensive but reversible decision as a one-way door",)  # type: ignore[attr-defined]


def network_values(ctx: Context) -> tuple[float, float]:
    """The three logistics bets together: worth this if the network works, and if it does not."""
    b = _bets(ctx)[shared(_bets(ctx))]
    works = float((b["p_success"] * TRACK_RECORD * mean_payoff(b) - b["cost"]).sum())
    return works, -float(b["cost"].sum())


def _pilot(ctx: Context, **kwargs: float) -> lt.PilotValue:
    works, fails = network_values(ctx)
    return lt.pilot_value(NETWORK_CHANCE, works, fails, **kwargs)


def pilot_value(ctx: Context) -> float:
    return _pilot(ctx, sensitivity=PILOT_SENSITIVITY,
                  false_alarm=PILOT_FALSE_ALARM).value_of_information


def pilot_value_perfect(ctx: Context) -> float:
    return _pilot(ctx).value_of_information


def pilot_value_after_cost(ctx: Context) -> float:
    return pilot_value(ctx) - PILOT_COST


def pilot_value_total(ctx: Context) -> float:
    return _pilot(ctx, sensitivity=PILOT_SENSITIVITY, false_alarm=PILOT_FALSE_ALARM).value_with_pilot


# ------------------------------------------------------------------ the decision


def funding_facts(ctx: Context) -> Evidence:
    """Both plans valued on corrected chances, with the shared network's risk."""
    pitched, reranked = _pitched_run(ctx), _reranked_run(ctx)
    call = PLANS[1] if reranked.expected_value > pitched.expected_value else PLANS[0]
    budget = param(ctx, "budget")
    return Evidence(call, (
        Fact("pitched plan value", pitched.expected_value, "number", change=False,
             require="number", synonyms=("pitched plan", "pitched ranking", "plan as pitched"),
             also=(pitched_plan_ev(ctx), pitched.simulated_mean)),
        Fact("re-ranked plan value", reranked.expected_value, "number", change=False,
             require="number",
             synonyms=("re-ranked plan", "reranked plan", "re-ranked", "corrected plan"),
             also=(reranked.simulated_mean, expected_values(_bets(ctx))[reranked_plan(ctx)].sum())),
        Fact("chance of losing money", pitched.chance_of_loss, change=False,
             versus=reranked.chance_of_loss,
             synonyms=("lose money", "loses money", "losing money", "chance of loss", "loss")),
        Fact("logistics failing together", logistics_all_fail(ctx), change=False,
             synonyms=("fail together", "all three fail", "logistics bets", "all three logistics bets")),
    ), rule="value both plans on the corrected chances (track record, shared network) and fund "
            "the one worth more; the pitched plan's logistics bets also fail together",
        given=(budget, TRACK_RECORD, 100 * TRACK_RECORD, NETWORK_CHANCE, 100 * NETWORK_CHANCE, 3.0))


def funding_call(ctx: Context) -> str:
    return funding_facts(ctx).call


def _pitched_question(ctx: Context) -> str:
    pitched, reranked = _pitched_run(ctx), _reranked_run(ctx)
    return (f"As pitched, the plan promises {pitched_plan_ev(ctx):.0f} million; on the corrected "
            f"chances it is worth {pitched.expected_value:.1f} million against "
            f"{reranked.expected_value:.1f} for the re-ranked plan. Which number would you "
            "defend to the board?")


def _reranked_question(ctx: Context) -> str:
    pitched, reranked = _pitched_run(ctx), _reranked_run(ctx)
    return (f"On the corrected chances the pitched plan is worth {pitched.expected_value:.1f} "
            f"million and the re-ranked one {reranked.expected_value:.1f}: what does re-ranking "
            "buy here?")


EXERCISES = [
    Exercise(
        name="pilot_users",
        question=f"Users per arm for an A/B test that detects a rise from {PILOT_BASELINE:.0%} by "
                 f"{100 * PILOT_MDE:.0f} points (alpha 0.05, power 0.8).",
        expected=pilot_users,
        grade=number(rel_tol=1e-9, unit=" users", mistakes=[
            (pilot_users_total, "That is both arms together; the question asks for one arm."),
            (pilot_users_relative, "That reads the 2 points as 2% of the baseline; here the lift is "
                                   "absolute (0.02), so leave relative=False."),
        ]),
        hints=ladder(
            "A test must be big enough to see the smallest lift worth acting on; a smaller lift "
            "or a noisier rate needs more users.",
            "Lesson 09's `experiment.sample_size(baseline, mde)` sizes it; its `per_arm` field "
            "is the answer. Both numbers are fractions.",
            "pilot_users = experiment.sample_size(___, ___).per_arm",
            "pilot_users = experiment.sample_size(PILOT_BASELINE, PILOT_MDE).per_arm",
        ),
        minutes=2, level="understand", recalls="09",
    ),
    Exercise(
        name="pilot_split",
        question="'trust the split' or 'investigate the split' for a test that put "
                 f"{PILOT_SPLIT[0]:,} and {PILOT_SPLIT[1]:,} users in its two arms.",
        expected=split_call,
        grade=choice(["trust the split", "investigate the split"],
                     mistakes={"trust the split": _trust_message,
                               "investigate the split": _investigate_message}),
        hints=ladder(
            "A fair coin splits users almost exactly in half; a split further off than chance "
            "allows means something broke, and no metric of the test can be trusted.",
            "Lesson 10's `experiment.srm_check([a, b])` tests the split; read its `passed` field "
            "(it uses a strict threshold of 0.001).",
            'pilot_split = "trust the split" if experiment.srm_check(list(___)).passed else "___"',
            'pilot_split = ("trust the split" if experiment.srm_check(list(PILOT_SPLIT)).passed\n'
            '               else "investigate the split")',
        ),
        minutes=2, level="understand", recalls="10",
    ),
    Exercise(
        name="portfolio_ev",
        question="Expected value of funding all the bets as pitched, in USD millions: the sum of "
                 "chance × mean payoff − cost.",
        expected=portfolio_ev,
        grade=number(rel_tol=1e-4, unit=" million", mistakes=[
            (portfolio_ev_with_medians,
             "You used the median payoff. With a long right tail the mean is larger: "
             "median × exp(sigma² / 2)."),
            (portfolio_ev_without_cost, "That is the expected payoff; subtract what the bets cost."),
        ]),
        hints=ladder(
            "A bet is worth its chance of working times what it pays on average, minus what it "
            "costs; a portfolio is worth the sum over its bets.",
            "Compute the mean payoff per bet as in the worked example (median × exp(sigma² / 2)) "
            "for the whole `bets` table at once, then `.sum()` the expected values.",
            'mean = bets["payoff_median"] * np.exp(bets["payoff_sigma"] ** 2 / 2)\n'
            'portfolio_ev = (bets["p_success"] * ___ - bets[___]).sum()',
            'mean = bets["payoff_median"] * np.exp(bets["payoff_sigma"] ** 2 / 2)\n'
            'portfolio_ev = (bets["p_success"] * mean - bets["cost"]).sum()',
        ),
        minutes=3,
    ),
    Exercise(
        name="chance_all_fail",
        question="The chance that every bet fails, taking the pitched chances at face value and "
                 "assuming the bets succeed or fail independently.",
        expected=chance_all_fail,
        grade=number(rel_tol=1e-4, mistakes=[
            (average_failure_rate, "That is the average bet's chance of failing; all of them failing "
                                   "means multiplying the chances."),
            (one_minus_total_chance, "Chances of different bets do not add up like that; multiply "
                                     "the chances of failing."),
        ]),
        hints=ladder(
            "Each bet fails with one minus its chance of working; for independent bets, all of "
            "them failing is the product of those chances.",
            "Take `1 - bets[\"p_success\"]` and multiply the values together with `.prod()`.",
            'chance_all_fail = (1 - bets[___]).___()',
            'chance_all_fail = (1 - bets["p_success"]).prod()',
        ),
        minutes=2,
    ),
    Exercise(
        name="corrected_ev",
        question="The pitched plan's expected value (USD millions) once each chance is multiplied "
                 "by TRACK_RECORD and, for the logistics bets, by NETWORK_CHANCE too.",
        expected=corrected_ev,
        grade=number(rel_tol=1e-4, unit=" million", mistakes=[
            (pitched_plan_ev, "That is the plan as pitched; correct the chances first."),
            (corrected_ev_track_only, "You applied the track record but not the network: the "
                                      "logistics bets only work if the network is live."),
            (corrected_ev_network_only, "You applied the network's chance but not the track record "
                                        "(pitches come true only TRACK_RECORD times as often)."),
        ]),
        hints=ladder(
            "A pitch is a team's hope; the track record says how often hopes like it came true, "
            "and a bet that needs the network can only work if the network does.",
            "Build the corrected chance column with `np.where(bets[\"area\"] == \"logistics\", "
            "NETWORK_CHANCE, 1.0)`, compute each bet's value, then sum it over the rows where "
            "`pitched` is True.",
            'chance = bets["p_success"] * ___ * np.where(bets["area"] == "logistics", ___, 1.0)\n'
            'value = chance * mean_payoff - bets["cost"]\n'
            'corrected_ev = value[___].sum()',
            'chance = bets["p_success"] * TRACK_RECORD * np.where(bets["area"] == "logistics", '
            'NETWORK_CHANCE, 1.0)\n'
            'value = chance * bets["payoff_median"] * np.exp(bets["payoff_sigma"] ** 2 / 2) - bets["cost"]\n'
            'corrected_ev = value[pitched].sum()',
        ),
        minutes=4,
    ),
    Exercise(
        name="logistics_all_fail",
        question="The chance that all three logistics bets fail, on the corrected chances, "
                 "remembering they share the network (exact, or simulated within one point).",
        expected=logistics_all_fail,
        grade=number(rel_tol=0.0, abs_tol=0.01, mistakes=[
            (logistics_all_fail_independent,
             "That multiplies three failure chances as if the bets were independent; when the "
             "network is not live all three fail at once, so failing together is likelier than "
             "the product says."),
            (logistics_all_fail_pitched, "That uses the pitched chances and ignores the network."),
        ]),
        hints=ladder(
            "Shared dependencies make bets fail together: first ask whether the network is live, "
            "then whether each bet works on its own.",
            "Simulate many futures with `rng = np.random.default_rng(seed)`: draw the network once "
            "per future (`rng.random(n) < NETWORK_CHANCE`), each bet's own success with its chance "
            "times TRACK_RECORD, and count the futures where no logistics bet works.",
            'own = bets.loc[bets["area"] == "logistics", "p_success"].to_numpy() * TRACK_RECORD\n'
            'rng = np.random.default_rng(seed)\n'
            'network = rng.random((100_000, 1)) < ___\n'
            'works = (rng.random((100_000, 3)) < ___) & network\n'
            'logistics_all_fail = (~works.any(axis=1)).___()',
            'own = bets.loc[bets["area"] == "logistics", "p_success"].to_numpy() * TRACK_RECORD\n'
            'rng = np.random.default_rng(seed)\n'
            'network = rng.random((100_000, 1)) < NETWORK_CHANCE\n'
            'works = (rng.random((100_000, 3)) < own) & network\n'
            'logistics_all_fail = (~works.any(axis=1)).mean()',
        ),
        minutes=5, level="analyse",
    ),
    Exercise(
        name="one_way_doors",
        question="The list of decisions in DOORS that are one-way doors.",
        expected=one_way_doors,
        grade=_grade_doors,
        hints=ladder(
            "A one-way door is a decision you cannot undo, or only at a cost far above what it "
            "saved; price alone does not make a door one-way.",
            "Go through `DOORS` one decision at a time and ask: could we reverse it next month? "
            "Keep the ones you could not in a list of strings copied from `DOORS`.",
            'one_way_doors = [d for d in DOORS if d in (___, ___, ___)]',
            'one_way_doors = ["sign a ten-year lease on a new fulfilment centre",\n'
            '                 "sell the old delivery vans to pay for drones",\n'
            '                 "launch under a new brand name in a new country"]',
        ),
        minutes=3, level="understand",
    ),
    Exercise(
        name="pilot_value",
        question="What the imperfect network pilot's verdict is worth before its cost (USD "
                 "millions): the value of deciding after it minus the value of deciding now.",
        expected=pilot_value,
        grade=number(rel_tol=1e-3, unit=" million", mistakes=[
            (pilot_value_perfect, "That is what a perfect pilot would be worth; this one says go "
                                  "PILOT_FALSE_ALARM of the time when the network would fail."),
            (pilot_value_after_cost, "That already subtracts the pilot's cost; the question asks "
                                     "for the value before it."),
            (pilot_value_total, "That is the value of deciding after the pilot; subtract the value "
                                "of deciding now."),
        ]),
        hints=ladder(
            "Information is worth something only if it can change what you do: a pilot pays when "
            "a stop verdict saves you from a bad commitment.",
            "The three logistics bets together are worth their summed corrected values (with the "
            "network) if the network works, and minus their costs if not. Pass both, the prior "
            "NETWORK_CHANCE and the pilot's accuracy to `lt.pilot_value`; read "
            "`value_of_information`.",
            'trio = bets[bets["area"] == "logistics"]\n'
            'works = (trio["p_success"] * TRACK_RECORD * mean_payoff[trio.index] - trio["cost"]).sum()\n'
            'pilot_value = lt.pilot_value(NETWORK_CHANCE, works, -trio["cost"].sum(),\n'
            '                             sensitivity=___, false_alarm=___).___',
            'trio = bets[bets["area"] == "logistics"]\n'
            'trio_mean = trio["payoff_median"] * np.exp(trio["payoff_sigma"] ** 2 / 2)\n'
            'works = (trio["p_success"] * TRACK_RECORD * trio_mean - trio["cost"]).sum()\n'
            'pilot_value = lt.pilot_value(NETWORK_CHANCE, works, -trio["cost"].sum(),\n'
            '                             sensitivity=PILOT_SENSITIVITY,\n'
            '                             false_alarm=PILOT_FALSE_ALARM).value_of_information',
        ),
        minutes=5,
    ),
    Exercise(
        name="funding_call",
        question="'fund the pitched plan' or 'fund the re-ranked plan', then a colon and your "
                 "evidence: both plans' values on the corrected chances.",
        expected=funding_call,
        grade=decision(PLANS, funding_facts,
                       questions={PLANS[0]: _pitched_question, PLANS[1]: _reranked_question}),
        hints=ladder(
            "A board funds what it expects to earn, not what it was promised: weigh both plans on "
            "the chances you believe, and ask what happens to the plan whose bets fail together.",
            "Compare `pitched_run.expected_value` with `reranked_run.expected_value` (both on "
            "corrected chances); add each plan's `chance_of_loss` and `logistics_all_fail`.",
            'call = "fund the re-ranked plan" if ___ > ___ else "fund the pitched plan"\n'
            'funding_call = (f"{call}: on the corrected chances the re-ranked plan is worth '
            '{___:.1f} million against {___:.1f} million for the pitched plan")',
            'call = ("fund the re-ranked plan" if reranked_run.expected_value > pitched_run.expected_value\n'
            '        else "fund the pitched plan")\n'
            'funding_call = (f"{call}: on the corrected chances the re-ranked plan is worth "\n'
            '                f"{reranked_run.expected_value:.1f} million against "\n'
            '                f"{pitched_run.expected_value:.1f} million for the pitched plan")',
        ),
        minutes=6, level="evaluate",
    ),
]
