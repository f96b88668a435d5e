"""Exercises for lesson 06_cohorts_and_retention: triangles, curves, censoring and a fee decision."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from pmkit.exercises.engine import Context, Exercise, choice, decision, ladder, number
from pmkit.exercises.evidence import Evidence, Fact

#: Month of the pooled curves the lesson compares at.
YEAR = 12
#: Critical values: a two-sided 95% interval, and 80% power on top of it (the MDE).
Z95, Z80 = 1.959964, 0.841621
FEE_OPTIONS = ("run a price test", "keep the new fee", "reverse the fee rise")


# ------------------------------------------------------------------ warm-up ---

def late_share(ctx: Context) -> float:
    orders = ctx.load("orders")
    return float((orders["actual_days"] > orders["promised_days"]).mean())


def late_share_on_the_day(ctx: Context) -> float:
    """The slip: counting orders that arrived on the promised day as late."""
    orders = ctx.load("orders")
    return float((orders["actual_days"] >= orders["promised_days"]).mean())


def nps_score(ctx: Context) -> float:
    from pmkit.customer import nps

    return float(nps(ctx.load("nps")["score"]).score)


def promoter_share(ctx: Context) -> float:
    """The slip: the share of promoters alone, as a percentage."""
    return float(100 * (ctx.load("nps")["score"] >= 9).mean())


# ------------------------------------------------------------ customer cohorts ---

def customer_cohorts(ctx: Context) -> Any:
    from pmkit.metrics import cohort_table

    return ctx.cached("customer_cohorts", lambda: cohort_table(
        ctx.load("orders"), date="order_date", signups=ctx.load("customers")))


def second_month(ctx: Context) -> float:
    return customer_cohorts(ctx).curve().rates[1]


def first_month(ctx: Context) -> float:
    return customer_cohorts(ctx).curve().rates[0]


def flattens_at(ctx: Context) -> float:
    return float(customer_cohorts(ctx).curve().flattens_at)


def segment_year_retention(ctx: Context) -> dict[str, float]:
    from pmkit.metrics import cohort_table

    def build() -> dict[str, float]:
        customers, orders = ctx.load("customers"), ctx.load("orders")
        out = {}
        for segment, members in customers.groupby("segment"):
            mine = orders[orders["customer_id"].isin(members["customer_id"])]
            table = cohort_table(mine, date="order_date", signups=members)
            out[str(segment)] = table.curve().rates[YEAR]
        return out

    return ctx.cached("segment_year", build)


def best_segment(ctx: Context) -> str:
    rates = segment_year_retention(ctx)
    return max(rates, key=rates.get)


def largest_segment(ctx: Context) -> str:
    return str(ctx.load("customers")["segment"].value_counts().idxmax())


def _bargain_message(ctx: Context) -> str:
    if largest_segment(ctx) == "bargain":
        return (f"Bargain hunters are the largest segment, not the one that keeps customers "
                f"longest: compare month-{YEAR} rates, not sizes.")
    return f"Bargain hunters do not keep the largest share: compare month-{YEAR} rates."


# ------------------------------------------------------------------ members ---

def member_cohorts(ctx: Context) -> Any:
    from pmkit.metrics import cohort_table_from_counts

    return ctx.cached("member_cohorts", lambda: cohort_table_from_counts(ctx.load("membership")))


def member_year(ctx: Context) -> float:
    return member_cohorts(ctx).curve().rates[YEAR]


def member_year_early(ctx: Context) -> float:
    """The slip: reading month 12 one period early (rates[11]; the curve starts at period 0)."""
    return member_cohorts(ctx).curve().rates[YEAR - 1]


def member_year_as_churned(ctx: Context) -> float:
    return 1 - member_year(ctx)


def joiners(ctx: Context) -> pd.Series:
    """Members who joined, per monthly cohort (tenure month 0)."""
    counts = ctx.load("membership")
    first = counts[counts["tenure_month"] == 0]
    return pd.Series(first["members"].to_numpy(), index=pd.DatetimeIndex(first["cohort"]))


def _months_observed(ctx: Context) -> pd.Series:
    counts = ctx.load("membership")
    return counts.groupby("cohort")["tenure_month"].max()


def censored_share(ctx: Context) -> float:
    """The share of all joiners whose cohort is too young to have reached month 12."""
    size, seen = joiners(ctx), _months_observed(ctx)
    young = seen[seen < YEAR].index
    return float(size[size.index.isin(young)].sum() / size.sum())


def censored_cohort_share(ctx: Context) -> float:
    """The slip: the share of cohorts, not of members."""
    seen = _months_observed(ctx)
    return float((seen < YEAR).mean())


# -------------------------------------------------------------- the fee rise ---

def fee_month(ctx: Context) -> str:
    """The first cohort that joined at the new fee, read from the fee column (public)."""
    counts = ctx.load("membership")
    joining = counts[counts["tenure_month"] == 0]
    raised = joining.loc[joining["fee"] > joining["fee"].min(), "cohort"]
    if raised.empty:
        raise ValueError("the membership fee never changed in this data")
    return f"{raised.min():%Y-%m}"


def fees(ctx: Context) -> tuple[float, float]:
    fee = ctx.load("membership")["fee"]
    return float(fee.min()), float(fee.max())


def fee_comparison(ctx: Context) -> Any:
    from pmkit.metrics import compare_retention

    def build() -> Any:
        table, cut = member_cohorts(ctx), fee_month(ctx)
        old = table.curve([c for c in table.cohorts if c < cut], label="joined at the old fee")
        new = table.curve([c for c in table.cohorts if c >= cut], label="joined at the new fee")
        return compare_retention(old, new, YEAR)

    return ctx.cached("fee_comparison", build)


def fee_difference(ctx: Context) -> float:
    return fee_comparison(ctx).difference


def fee_difference_reversed(ctx: Context) -> float:
    return -fee_difference(ctx)


def fee_se(ctx: Context) -> float:
    """The standard error of the month-12 difference, from the z-test's own statistic."""
    r = fee_comparison(ctx)
    return abs(r.difference / r.z) if r.z else math.nan


def fee_interval(ctx: Context) -> tuple[float, float]:
    d, se = fee_difference(ctx), fee_se(ctx)
    return (d - Z95 * se, d + Z95 * se)


def fee_mde(ctx: Context) -> float:
    """The smallest month-12 change this comparison detects with 80% power (two-sided 5%)."""
    return (Z95 + Z80) * fee_se(ctx)


def fee_half_width(ctx: Context) -> float:
    """The slip: the interval's half-width (1.96 standard errors) is not the MDE."""
    return Z95 * fee_se(ctx)


def break_even_drop(ctx: Context) -> float:
    """The month-12 retention drop at which the higher fee brings in no more fee revenue.

    Fee revenue per joiner at month 12 is fee x retention, so the rise pays for itself
    until retention falls to old_rate x old_fee / new_fee.
    """
    old_fee, new_fee = fees(ctx)
    return fee_comparison(ctx).rate_a * (1 - old_fee / new_fee)


def _years_around_rise(ctx: Context, monthly: Any) -> tuple[Any, Any]:
    """The 12 months before the new fee and the 12 months from it (rows by calendar month)."""
    cut, year = pd.Timestamp(fee_month(ctx)), pd.DateOffset(months=YEAR)
    index = monthly.index
    return monthly[(index < cut) & (index >= cut - year)], monthly[(index >= cut) & (index < cut + year)]


def _joiner_windows(ctx: Context) -> tuple[np.ndarray, np.ndarray]:
    """Joiners per month in the 12 months before the new fee and the 12 months from it."""
    before, after = _years_around_rise(ctx, joiners(ctx))
    return before.to_numpy(dtype=float), after.to_numpy(dtype=float)


def joiners_change(ctx: Context) -> float:
    """Joiners per month in the year from the fee rise against the year before, relative."""
    before, after = _joiner_windows(ctx)
    return float(after.mean() / before.mean() - 1)


def joiners_change_all(ctx: Context) -> float:
    """The slip: every cohort before against every cohort after, not the same-length years."""
    size, cut = joiners(ctx), pd.Timestamp(fee_month(ctx))
    return float(size[size.index >= cut].mean() / size[size.index < cut].mean() - 1)


def _year_on_year(before: np.ndarray, after: np.ndarray) -> Any:
    """Welch's comparison of the year from the rise against the year before."""
    from pmkit.experiment import compare_means

    return compare_means(before, after)


def joiners_test(ctx: Context) -> Any:
    return ctx.cached("joiners_test", lambda: _year_on_year(*_joiner_windows(ctx)))


def joiners_interval(ctx: Context) -> tuple[float, float]:
    """A 95% Welch interval of the change in joiners per month, relative to the year before."""
    before, _ = _joiner_windows(ctx)
    r = joiners_test(ctx)
    return (r.ci[0] / before.mean(), r.ci[1] / before.mean())


def monthly_joining(ctx: Context) -> pd.DataFrame:
    """Per calendar month: customers who joined Plus, and customers who could have (eligible).

    Eligible: signed up by the end of the month and not a member before it started.
    """
    def build() -> pd.DataFrame:
        customers = ctx.load("customers")
        signed, since = customers["signup_date"], customers["member_since"]
        months = pd.date_range(signed.min().to_period("M").to_timestamp(), signed.max(), freq="MS")
        ends = months + pd.offsets.MonthBegin(1)
        return pd.DataFrame({
            "joined": [int(((since >= m) & (since < e)).sum()) for m, e in zip(months, ends, strict=True)],
            "eligible": [int(((signed < e) & ~(since < m)).sum()) for m, e in zip(months, ends, strict=True)],
        }, index=pd.DatetimeIndex(months, name="month"))

    return ctx.cached("monthly_joining", build)


def _rate_windows(ctx: Context) -> tuple[np.ndarray, np.ndarray]:
    monthly = monthly_joining(ctx)
    before, after = _years_around_rise(ctx, monthly["joined"] / monthly["eligible"])
    return before.to_numpy(dtype=float), after.to_numpy(dtype=float)


def join_rate_change(ctx: Context) -> float:
    """The monthly join rate of eligible customers, the year from the rise against the year before."""
    before, after = _rate_windows(ctx)
    return float(after.mean() / before.mean() - 1)


def join_rate_pooled(ctx: Context) -> float:
    """The slip: all joiners over all eligible customer-months, not the average monthly rate."""
    b, a = _years_around_rise(ctx, monthly_joining(ctx))
    return float((a["joined"].sum() / a["eligible"].sum()) / (b["joined"].sum() / b["eligible"].sum()) - 1)


def join_rate_test(ctx: Context) -> Any:
    return ctx.cached("join_rate_test", lambda: _year_on_year(*_rate_windows(ctx)))


def join_rate_interval(ctx: Context) -> tuple[float, float]:
    """A 95% Welch interval of the change in the monthly join rate, relative to the year before."""
    before, _ = _rate_windows(ctx)
    r = join_rate_test(ctx)
    return (r.ci[0] / before.mean(), r.ci[1] / before.mean())


def cancelling_fall(ctx: Context) -> float:
    """The fall in joining that cancels the fee gain: with fee x joiners, 1 - old / new."""
    old_fee, new_fee = fees(ctx)
    return 1 - old_fee / new_fee


def fee_facts(ctx: Context) -> Evidence:
    """Month-12 retention and its power, and two readings of joining, around the fee rise."""
    r = fee_comparison(ctx)
    low, high = fee_interval(ctx)
    bar, mde, fall = break_even_drop(ctx), fee_mde(ctx), cancelling_fall(ctx)
    j_low, j_high = joiners_interval(ctx)
    r_low, r_high = join_rate_interval(ctx)
    # The cohorts before and after differ in time as well as fee, and a fee can change who
    # joins. Keep the fee only when the data rule out harm that cancels the fee gain on
    # retention (and could have seen it) and on both readings of joining; reverse on clear
    # harm; when the readings disagree or cannot tell, the cohorts cannot separate the fee
    # from time, and a randomised price test can.
    if high < -bar or (j_high < -fall and r_high < -fall):
        call = "reverse the fee rise"
    elif mde < bar and low > -bar and j_low > -fall and r_low > -fall:
        call = "keep the new fee"
    else:
        call = "run a price test"
    old_fee, new_fee = fees(ctx)
    return Evidence(call, (
        Fact("month-12 retention", r.difference, ci=(low, high), p_value=r.p_value,
             require="interval",
             synonyms=("retention", "month 12 retention", "retention at month 12", "kept",
                       "retained", "still members"),
             also=(r.rate_a, r.rate_b)),
        # Joining is compared per month: the change in joiners (a count) and in the join rate
        # (a fraction), each with its relative change, which is how a PM would quote it.
        Fact("joiners", joiners_test(ctx).difference, "number", ci=tuple(joiners_test(ctx).ci),
             relative=joiners_change(ctx), relative_ci=(j_low, j_high), require="direction",
             synonyms=("joiners per month", "joined per month", "new members", "sign-ups",
                       "signups")),
        Fact("join rate", join_rate_test(ctx).difference, ci=tuple(join_rate_test(ctx).ci),
             relative=join_rate_change(ctx), relative_ci=(r_low, r_high), require="direction",
             synonyms=("joining rate", "rate of joining", "share joining", "conversion to plus",
                       "eligible customers joining")),
        Fact("detectable drop", mde, change=False, require="number",
             synonyms=("mde", "minimum detectable effect", "minimum detectable difference",
                       "detectable", "power")),
        Fact("break-even drop", bar, change=False,
             synonyms=("break even", "break-even", "cancel the fee gain"), also=(fall,)),
    ), rule="keep only if retention rules out a drop that cancels the fee gain (and the comparison "
            "could have seen one) and both readings of joining rule out a cancelling fall; reverse "
            "on clear harm; otherwise the cohorts cannot separate the fee from time: run a "
            "randomised price test",
        given=(float(YEAR), 80.0, 95.0, old_fee, new_fee))


def fee_call(ctx: Context) -> str:
    return fee_facts(ctx).call


def _not_test_question(ctx: Context) -> str:
    j_low, j_high = joiners_interval(ctx)
    r_low, r_high = join_rate_interval(ctx)
    return (f"Joiners per month moved between {100 * j_low:+.0f}% and {100 * j_high:+.0f}%, and the "
            f"join rate of eligible customers between {100 * r_low:+.0f}% and {100 * r_high:+.0f}%. "
            "If the two readings of joining disagree, what besides the fee changed between the "
            "year before the rise and the year after, and what would separate the fee from it?")


def _test_question(ctx: Context) -> str:
    return ("Your evidence already rules out harm from the fee on retention and on joining. "
            "What would a price test tell you that these intervals do not?")


# ------------------------------------------------------------------ exercises ---

EXERCISES = [
    Exercise(
        name="late_recall",
        question="Warm-up (lesson 00): the share of all orders that arrived after their promised "
                 "day, as a fraction.",
        expected=late_share,
        grade=number(rel_tol=1e-4, mistakes=[
            (late_share_on_the_day, "That counts orders that arrived on the promised day as late; "
                                    "late means strictly after it."),
        ]),
        hints=ladder(
            "An order is late when it took more days than it promised; the share of late orders "
            "is the average of a yes/no flag.",
            "Compare `orders['actual_days']` with `orders['promised_days']` and take `.mean()` "
            "of the True/False column.",
            "late_recall = (orders[___] > orders[___]).mean()",
            "late_recall = (orders['actual_days'] > orders['promised_days']).mean()",
        ),
        minutes=2, level="remember", recalls="00",
    ),
    Exercise(
        name="nps_recall",
        question="Warm-up (lesson 02): the Net Promoter Score of the survey in `nps`, on the "
                 "-100 to +100 scale.",
        expected=nps_score,
        grade=number(rel_tol=1e-3, mistakes=[
            (promoter_share, "That is the share of promoters alone; NPS subtracts the share of "
                             "detractors (0 to 6) from it."),
        ]),
        hints=ladder(
            "NPS is the share of promoters (9 or 10) minus the share of detractors (0 to 6), in "
            "points.",
            "`customer.nps(...)` takes the column of 0-10 scores; its `score` field is the NPS.",
            "nps_recall = customer.nps(nps[___]).___",
            "nps_recall = customer.nps(nps['score']).score",
        ),
        minutes=2, level="remember", recalls="02",
    ),
    Exercise(
        name="second_month",
        question="The share of all customers active in their second month (period 1 of the "
                 "pooled curve), as a fraction.",
        expected=second_month,
        grade=number(rel_tol=1e-3, mistakes=[
            (first_month, "That is period 0, the signup month itself. The second month is "
                          "period 1."),
        ]),
        hints=ladder(
            "Pooling counts every customer once at each age they have reached, so big cohorts "
            "weigh more than small ones; the second month is one month after signing up.",
            "`cohorts.curve()` pools the cohorts; its `rates` start at period 0 (the signup "
            "month), so the second month is position 1.",
            "second_month = cohorts.curve().rates[___]",
            "second_month = cohorts.curve().rates[1]",
        ),
        minutes=3, level="understand",
    ),
    Exercise(
        name="flattens_at",
        question="The period from which the pooled customer curve flattens (a whole number).",
        expected=flattens_at,
        grade=number(rel_tol=0, abs_tol=1e-9),
        hints=ladder(
            "A curve flattens where it stops losing much from one month to the next: the "
            "customers left are the ones who found lasting value.",
            "Read the curve's `rates` month by month, or ask the curve: `curve.flattens_at` "
            "applies the 90%-kept rule.",
            "flattens_at = cohorts.curve().___",
            "flattens_at = cohorts.curve().flattens_at",
        ),
        minutes=2, level="understand",
    ),
    Exercise(
        name="best_segment",
        question="Which marketing segment keeps the largest share of customers active in month "
                 f"{YEAR}: 'bargain', 'family', 'professional' or 'enthusiast'?",
        expected=best_segment,
        grade=choice(["bargain", "family", "professional", "enthusiast"], mistakes={
            "bargain": _bargain_message,
        }),
        hints=ladder(
            "Compare like with like: follow each segment's own cohorts and read all of them at "
            "the same age, month 12.",
            "Loop over `customers.groupby('segment')`; keep that segment's orders with `.isin`, "
            f"build `metrics.cohort_table`, store `table.curve().rates[{YEAR}]` in a dict, then "
            "take the key with the largest value.",
            "month_12 = {}\n"
            "for segment, members in customers.groupby('segment'):\n"
            "    mine = orders[orders['customer_id'].isin(members[___])]\n"
            "    table = metrics.cohort_table(mine, date='order_date', signups=members)\n"
            "    month_12[segment] = table.curve().rates[___]\n"
            "best_segment = max(month_12, key=month_12.get)",
            "month_12 = {}\n"
            "for segment, members in customers.groupby('segment'):\n"
            "    mine = orders[orders['customer_id'].isin(members['customer_id'])]\n"
            "    table = metrics.cohort_table(mine, date='order_date', signups=members)\n"
            f"    month_12[segment] = table.curve().rates[{YEAR}]\n"
            "best_segment = max(month_12, key=month_12.get)",
        ),
        minutes=6, level="analyse",
    ),
    Exercise(
        name="member_year",
        question=f"The share of Basketly Plus members still members at month {YEAR} "
                 "(pooled over all cohorts), as a fraction.",
        expected=member_year,
        grade=number(rel_tol=1e-3, mistakes=[
            (member_year_as_churned, "That is the share who left; the question asks who stayed."),
            (member_year_early, f"That is month {YEAR - 1}: the curve starts at period 0, so month "
                                f"{YEAR} is rates[{YEAR}]."),
        ]),
        hints=ladder(
            "Only cohorts old enough to have reached month 12 can say who is still a member "
            "then; the pooled curve uses exactly those.",
            f"`members.curve()` is the pooled member curve; position {YEAR} of its `rates` is "
            f"month {YEAR} (position 0 is the joining month).",
            "member_year = members.curve().rates[___]",
            f"member_year = members.curve().rates[{YEAR}]",
        ),
        minutes=2, level="apply",
    ),
    Exercise(
        name="censored_share",
        question=f"The share of all members who joined too recently to be seen at month {YEAR} "
                 "(their cohort's last observed tenure month is below 12), as a fraction.",
        expected=censored_share,
        grade=number(rel_tol=1e-4, mistakes=[
            (censored_cohort_share, "That is the share of cohorts; the question asks for the "
                                    "share of members, so weigh each cohort by its joiners."),
            (member_year_as_churned, "That is the share who left by month 12; the question asks "
                                     "who could not yet be observed there."),
        ]),
        hints=ladder(
            "A member who joined five months ago has not cancelled and has not stayed a year: "
            "we simply cannot see month 12 for them yet.",
            "Per cohort, the largest `tenure_month` is how far it is observed; the joiners are "
            "its `members` at tenure month 0. Sum the joiners of cohorts observed for fewer than "
            "12 months and divide by all joiners.",
            "seen = membership.groupby('cohort')['tenure_month'].max()\n"
            "joined = membership[membership['tenure_month'] == 0].set_index('cohort')['members']\n"
            "censored_share = joined[seen < ___].sum() / joined.___()",
            "seen = membership.groupby('cohort')['tenure_month'].max()\n"
            "joined = membership[membership['tenure_month'] == 0].set_index('cohort')['members']\n"
            f"censored_share = joined[seen < {YEAR}].sum() / joined.sum()",
        ),
        minutes=4, level="apply",
    ),
    Exercise(
        name="fee_difference",
        question=f"Month-{YEAR} retention of members who joined at the new fee minus those who "
                 "joined at the old fee, as a fraction.",
        expected=fee_difference,
        grade=number(rel_tol=1e-3, abs_tol=1e-6, mistakes=[
            (fee_difference_reversed, "That is old minus new; the question asks for new minus old."),
        ]),
        hints=ladder(
            "Read both groups of cohorts at the same age, month 12, and subtract: new fee minus "
            "old fee.",
            f"`old` and `new` are the two pooled curves; each has `rates[{YEAR}]`.",
            f"fee_difference = new.rates[___] - ___.rates[{YEAR}]",
            f"fee_difference = new.rates[{YEAR}] - old.rates[{YEAR}]",
        ),
        minutes=2, level="apply",
    ),
    Exercise(
        name="fee_mde",
        question=f"The smallest month-{YEAR} retention change this comparison would detect with 80% "
                 "power at a two-sided 5% level, as a fraction: (1.96 + 0.84) standard errors.",
        expected=fee_mde,
        grade=number(rel_tol=2e-3, mistakes=[
            (fee_half_width, "That is 1.96 standard errors, the interval's half-width. To be "
                             "detected 80% of the time, an effect must clear that line by another "
                             "0.84 standard errors."),
        ]),
        hints=ladder(
            "A real change is only found reliably when it is well past the noise: 1.96 standard "
            "errors to be significant, plus 0.84 more so that it lands there four times in five.",
            "The standard error of the difference is `fee_se`, printed above. Multiply it by "
            "1.96 + 0.84 (more exactly 1.959964 + 0.841621).",
            "fee_mde = (___ + ___) * fee_se",
            "fee_mde = (1.959964 + 0.841621) * fee_se",
        ),
        minutes=3, level="apply",
    ),
    Exercise(
        name="joiners_change",
        question="Joiners per month in the 12 months from the fee rise against the 12 months "
                 "before it: the relative change, as a fraction (+0.10 is 10% more).",
        expected=joiners_change,
        grade=number(rel_tol=1e-3, mistakes=[
            (joiners_change_all, "That compares every cohort before with every cohort after; "
                                 "compare the same number of months on each side of the rise."),
        ]),
        hints=ladder(
            "A higher price can change who joins as well as who stays: count the joiners on each "
            "side of the rise over windows of the same length.",
            "`joined` holds each cohort's joiners (tenure month 0). Keep the 12 cohorts before "
            "`new_fee_from` and the 12 from it, average each, divide and subtract 1.",
            "before = joined[(joined.index < cut) & (joined.index >= cut - pd.DateOffset(months=12))]\n"
            "after = joined[(joined.index >= cut) & (joined.index < cut + pd.DateOffset(months=___))]\n"
            "joiners_change = after.___() / before.mean() - 1",
            "before = joined[(joined.index < cut) & (joined.index >= cut - pd.DateOffset(months=12))]\n"
            "after = joined[(joined.index >= cut) & (joined.index < cut + pd.DateOffset(months=12))]\n"
            "joiners_change = after.mean() / before.mean() - 1",
        ),
        minutes=4, level="apply",
    ),
    Exercise(
        name="join_rate_change",
        question="The average monthly join rate (joined / eligible) in the 12 months from the fee "
                 "rise against the 12 months before it: the relative change, as a fraction.",
        expected=join_rate_change,
        grade=number(rel_tol=1e-3, mistakes=[
            (join_rate_pooled, "That divides all joiners by all eligible customer-months of each "
                               "year. A fair summary too, but the question asks for the average of "
                               "the twelve monthly rates, each month weighed equally."),
            (joiners_change, "That is the change in the count of joiners; divide each month's "
                             "joiners by the customers who could have joined first."),
        ]),
        hints=ladder(
            "A growing customer base brings more joiners at any fee; a rate per customer who could "
            "join takes the growth out, though not the ageing of that base.",
            "`monthly` has `joined` and `eligible` per month. Divide them to get each month's rate, "
            "keep the 12 months before `cut` and the 12 from it, and compare the two averages.",
            "rate = monthly['joined'] / monthly[___]\n"
            "before = rate[(rate.index < cut) & (rate.index >= cut - pd.DateOffset(months=12))]\n"
            "after = rate[(rate.index >= cut) & (rate.index < cut + pd.DateOffset(months=12))]\n"
            "join_rate_change = after.mean() / ___.mean() - 1",
            "rate = monthly['joined'] / monthly['eligible']\n"
            "before = rate[(rate.index < cut) & (rate.index >= cut - pd.DateOffset(months=12))]\n"
            "after = rate[(rate.index >= cut) & (rate.index < cut + pd.DateOffset(months=12))]\n"
            "join_rate_change = after.mean() / before.mean() - 1",
        ),
        minutes=5, level="analyse",
    ),
    Exercise(
        name="fee_call",
        question="'run a price test', 'keep the new fee' or 'reverse the fee rise', then a colon "
                 "and your evidence.",
        expected=fee_call,
        grade=decision(
            list(FEE_OPTIONS), fee_facts,
            questions={"keep the new fee": _not_test_question,
                       "reverse the fee rise": _not_test_question,
                       "run a price test": _test_question},
        ),
        hints=ladder(
            "A p-value above 0.05 says the data cannot tell, not that nothing happened. Weigh how "
            "large a retention drop the interval still allows against the drop that would cancel "
            "the fee gain, whether the comparison could have seen it, and what the two readings of "
            "joining say, given that the year after the rise differs from the year before in more "
            "than the fee.",
            "Look up the month-12 interval (`low`, `high`), `fee_mde`, `break_even`, the fall in "
            "joining that cancels the fee gain (`cancel`), and the intervals of the two joining "
            "readings (`j_low`, `j_high`; `r_low`, `r_high`). Keep only if every interval rules out "
            "cancelling harm and the MDE is below the break-even drop; reverse on clear harm; "
            "otherwise run a price test.",
            "fee_call = (f\"___: month-12 retention moved {100 * fee_difference:+.1f} points (95% CI "
            "{100 * low:+.1f} to {100 * high:+.1f}); the detectable drop is {100 * fee_mde:.1f} "
            "points against a break-even drop of {100 * break_even:.1f}; joiners per month ___ "
            "{100 * joiners_change:+.0f}% (95% CI {100 * j_low:+.0f}% to {100 * j_high:+.0f}%) while "
            "the join rate ___ {100 * join_rate_change:+.0f}% (95% CI {100 * r_low:+.0f}% to "
            "{100 * r_high:+.0f}%)\")",
            "if high < -break_even or (j_high < -cancel and r_high < -cancel):\n"
            "    call = 'reverse the fee rise'\n"
            "elif fee_mde < break_even and low > -break_even and j_low > -cancel and r_low > -cancel:\n"
            "    call = 'keep the new fee'\n"
            "else:\n"
            "    call = 'run a price test'\n"
            "def moved(lo, hi):\n"
            "    return 'rose' if lo > 0 else 'fell' if hi < 0 else 'moved, not shown either way,'\n"
            "fee_call = (f\"{call}: month-12 retention {moved(low, high)} {100 * fee_difference:+.1f} "
            "points (95% CI {100 * low:+.1f} to {100 * high:+.1f}); the detectable drop is "
            "{100 * fee_mde:.1f} points against a break-even drop of {100 * break_even:.1f}; joiners "
            "per month {moved(j_low, j_high)} {100 * joiners_change:+.0f}% (95% CI "
            "{100 * j_low:+.0f}% to {100 * j_high:+.0f}%) and the join rate {moved(r_low, r_high)} "
            "{100 * join_rate_change:+.0f}% (95% CI {100 * r_low:+.0f}% to {100 * r_high:+.0f}%)\")",
        ),
        minutes=8, level="evaluate",
    ),
]
