"""Exercises for lesson 12_portfolio_of_bets: expected value, failure, big wins and downside.

The notebook copies its parameters (big-win multiple, discount rate, simulations) into
``lesson.context.params`` so the checks simulate exactly what the learner simulates.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pmkit import longterm as lt
from pmkit.exercises.engine import Context, Exercise, Verdict, decision, number
from pmkit.exercises.evidence import Evidence, Fact

DEFAULTS: dict[str, float] = {
    "big_win": 10.0,          # a big win pays at least this many times its cost
    "discount_rate": 0.10,    # per year, for payoffs that arrive years later
    "n_sims": 20_000,         # simulated futures
}
#: How many of the likeliest bets make up the "safe" alternative.
SAFE_COUNT = 3


def param(ctx: Context, key: str) -> float:
    return float(ctx.params.get(key, DEFAULTS[key]))


def _bets(ctx: Context) -> pd.DataFrame:
    return ctx.load("bets")


def mean_payoff(bets: pd.DataFrame) -> pd.Series:
    """Average payoff if a bet works: a lognormal's mean is its median × exp(σ²/2)."""
    return bets["payoff_median"] * np.exp(bets["payoff_sigma"] ** 2 / 2)


def expected_values(bets: pd.DataFrame) -> pd.Series:
    """Each bet's expected value before discounting: chance × mean payoff − cost."""
    return bets["p_success"] * mean_payoff(bets) - bets["cost"]


def portfolio_ev(ctx: Context) -> float:
    return float(expected_values(_bets(ctx)).sum())


def portfolio_ev_with_medians(ctx: Context) -> float:
    b = _bets(ctx)
    return float((b["p_success"] * b["payoff_median"] - b["cost"]).sum())


def portfolio_ev_without_cost(ctx: Context) -> float:
    b = _bets(ctx)
    return float((b["p_success"] * mean_payoff(b)).sum())


def best_bet(ctx: Context) -> str:
    b = _bets(ctx)
    return str(b.loc[expected_values(b).idxmax(), "name"])


def chance_all_fail(ctx: Context) -> float:
    return float(np.prod(1 - _bets(ctx)["p_success"]))


def average_failure_rate(ctx: Context) -> float:
    return float((1 - _bets(ctx)["p_success"]).mean())


def one_minus_total_chance(ctx: Context) -> float:
    return float(1 - _bets(ctx)["p_success"].sum())


def simulate(bets: pd.DataFrame, ctx: Context, discounted: bool = True) -> lt.PortfolioOutcome:
    return lt.portfolio_of_bets(
        "cost", "p_success", "payoff_median", "payoff_sigma", data=bets,
        years_to_payoff="years_to_payoff" if discounted else 0.0,
        discount_rate=param(ctx, "discount_rate") if discounted else 0.0,
        big_win=param(ctx, "big_win"), n_sims=int(param(ctx, "n_sims")), seed=ctx.seed or 0,
    )


def _portfolio(ctx: Context) -> lt.PortfolioOutcome:
    return ctx.cached("all", lambda: simulate(_bets(ctx), ctx))


def safe_bets(bets: pd.DataFrame) -> pd.DataFrame:
    """The likeliest bets: what a risk-averse board would fund instead."""
    return bets.nlargest(SAFE_COUNT, "p_success")


def _safe(ctx: Context) -> lt.PortfolioOutcome:
    return ctx.cached("safe", lambda: simulate(safe_bets(_bets(ctx)), ctx))


def chance_big_win(ctx: Context) -> float:
    return _portfolio(ctx).chance_big_win_exact


def chance_of_loss(ctx: Context) -> float:
    return _portfolio(ctx).chance_of_loss


def chance_of_loss_undiscounted(ctx: Context) -> float:
    return ctx.cached("undiscounted", lambda: simulate(_bets(ctx), ctx, False)).chance_of_loss


def funding_facts(ctx: Context) -> Evidence:
    """Expected value of the whole portfolio and of the safe bets, and the chances."""
    everything, safe = _portfolio(ctx), _safe(ctx)
    call = "fund the portfolio" if everything.expected_value > safe.expected_value else "fund the safe bets"
    return Evidence(call, (
        Fact("portfolio value", everything.expected_value, "number", change=False,
             require="number", versus=safe.expected_value,
             synonyms=("portfolio", "whole portfolio", "all bets", "all the bets"),
             also=(everything.simulated_mean,)),
        Fact("safe bets value", safe.expected_value, "number", change=False, require="number",
             synonyms=("safe bets", "safe", "safest bets"), also=(safe.simulated_mean,)),
        Fact("chance of a big win", everything.chance_big_win_exact, change=False,
             synonyms=("big win", "chance of a big win"), also=(everything.chance_big_win,)),
        Fact("chance of loss", everything.chance_of_loss, change=False,
             synonyms=("loss", "lose money", "chance of loss", "fail", "failures"),
             also=(everything.expected_failures,)),
    ), rule="fund the plan with the larger expected value, knowing its bad case",
        given=(float(SAFE_COUNT),))


def funding_call(ctx: Context) -> str:
    return funding_facts(ctx).call


def _safe_question(ctx: Context) -> str:
    everything, safe = _portfolio(ctx), _safe(ctx)
    return (f"The {SAFE_COUNT} safest bets are worth {safe.expected_value:.1f} million on average; "
            f"the whole portfolio {everything.expected_value:.1f} million, with a "
            f"{everything.chance_big_win_exact:.0%} chance of at least one big win. Which failure "
            "are you really avoiding by funding only the safe bets?")


def _portfolio_question(ctx: Context) -> str:
    everything, safe = _portfolio(ctx), _safe(ctx)
    return (f"Here the safe bets are worth {safe.expected_value:.1f} million and the whole "
            f"portfolio only {everything.expected_value:.1f} million: which bets cost more than "
            "they are expected to return?")


def _grade_bet_name(answer: Any, expected: Any, ctx: Context) -> Verdict:
    if not isinstance(answer, str):
        return Verdict(False, "Give the bet's name as text, as it appears in the `name` column.")
    b = _bets(ctx)
    given = " ".join(answer.casefold().split())
    names = {" ".join(n.casefold().split()): n for n in b["name"]}
    if given not in names:
        return Verdict(False, f"{answer!r} is not one of the bets; copy a name from the `name` column.")
    if names[given] == expected:
        return Verdict(True, f"Yes: {expected}.")
    likeliest = str(b.loc[b["p_success"].idxmax(), "name"])
    biggest = str(b.loc[b["payoff_median"].idxmax(), "name"])
    if names[given] == likeliest:
        return Verdict(False, "That is the bet most likely to work, not the most valuable: weigh "
                              "the chance by the payoff and subtract the cost.")
    if names[given] == biggest:
        return Verdict(False, "That bet has the biggest payoff if it works; multiply by its chance "
                              "of working and subtract its cost.")
    return Verdict(False, f"Not {names[given]!r}: compare every bet's expected value.")


EXERCISES = [
    Exercise(
        name="portfolio_ev",
        question="Expected value of funding all the bets, before discounting, in USD millions: "
                 "the sum of chance × mean payoff − cost.",
        expected=portfolio_ev,
        grade=number(rel_tol=1e-4, unit=" million", mistakes=[
            (portfolio_ev_with_medians,
             "You used the median payoff. With a long right tail the mean is larger: "
             "median × exp(sigma² / 2)."),
            (portfolio_ev_without_cost, "That is the expected payoff; subtract what the bets cost."),
        ]),
        hints=(
            "A lognormal payoff's mean is its median times exp(sigma² / 2).",
            "Per bet: p_success × mean payoff − cost. Then add up the bets.",
            "mean = bets.payoff_median * np.exp(bets.payoff_sigma ** 2 / 2); "
            "portfolio_ev = (bets.p_success * mean - bets.cost).sum()",
        ),
        minutes=4,
    ),
    Exercise(
        name="best_bet",
        question="The name of the bet with the highest expected value (before discounting).",
        expected=best_bet,
        grade=_grade_bet_name,
        hints=(
            "Compute each bet's expected value as in the previous exercise, without summing.",
            "`Series.idxmax()` gives the row of the largest value; look up its `name`.",
            "ev = bets.p_success * bets.payoff_median * np.exp(bets.payoff_sigma ** 2 / 2) - "
            "bets.cost; best_bet = bets.loc[ev.idxmax(), 'name']",
        ),
        minutes=3,
    ),
    Exercise(
        name="chance_all_fail",
        question="The chance that every bet fails (the bets succeed or fail independently).",
        expected=chance_all_fail,
        grade=number(rel_tol=1e-4, mistakes=[
            (average_failure_rate, "That is the average bet's chance of failing; all of them failing "
                                   "means multiplying the chances."),
            (one_minus_total_chance, "Chances of different bets do not add up like that; multiply "
                                     "the chances of failing."),
        ]),
        hints=(
            "Each bet fails with probability 1 − p_success.",
            "Independent events all happen with the product of their chances.",
            "chance_all_fail = (1 - bets.p_success).prod()",
        ),
        minutes=2,
    ),
    Exercise(
        name="chance_big_win",
        question="The chance that at least one bet pays big_win times its cost or more "
                 "(discounted payoffs; exact or simulated, within one point).",
        expected=chance_big_win,
        grade=number(rel_tol=0.0, abs_tol=0.01),
        hints=(
            "The simulation of the worked example reports it.",
            "`chance_big_win` is the simulated share of futures; `chance_big_win_exact` the formula.",
            "chance_big_win = outcome.chance_big_win_exact",
        ),
        minutes=2,
    ),
    Exercise(
        name="chance_of_loss",
        question="The simulated chance that the whole portfolio loses money once payoffs are "
                 "discounted for the years they take.",
        expected=chance_of_loss,
        grade=number(rel_tol=0.0, abs_tol=0.01, mistakes=[
            (chance_of_loss_undiscounted, "That ignores how many years each payoff takes; pass "
                                          "years_to_payoff and discount_rate."),
        ]),
        hints=(
            "The worked example's `outcome` has it as a field.",
            "Look at `outcome.chance_of_loss`; it counts simulated futures whose net is below zero.",
            "chance_of_loss = outcome.chance_of_loss",
        ),
        minutes=2,
    ),
    Exercise(
        name="funding_call",
        question="'fund the portfolio' or 'fund the safe bets', then a colon and your evidence.",
        expected=funding_call,
        grade=decision(
            ["fund the portfolio", "fund the safe bets"], funding_facts,
            questions={"fund the safe bets": _safe_question,
                       "fund the portfolio": _portfolio_question},
        ),
        hints=(
            "Compare the expected value of all bets with that of the three likeliest ones.",
            "Most bets fail either way; ask which plan leaves more value on average, and what "
            "its bad case looks like.",
            "Write the call, a colon, then both expected values: f\"<call>: the portfolio is worth "
            "{outcome.expected_value:.0f} million on average against ... for the safe bets\"",
        ),
        minutes=3,
    ),
]
