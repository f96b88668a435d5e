"""Exercises for lesson 15_membership_and_flywheel: member economics, selection and the flywheel.

A member's value comes from the course's one member-value model (``lt.member_value``), the
same as in lessons 14 and 17. The notebook copies its parameters (margin rate, discount
rate, price cut, seller response) into ``lesson.context.params`` so the checks use the
learner's numbers.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from pmkit import longterm as lt
from pmkit.exercises.engine import Context, Exercise, choice, decision, ladder, number
from pmkit.exercises.evidence import Evidence, Fact
from pmkit.exercises.lifetime_value import inputs, recall_cohort, truth_value, value_case

# inputs and value_case are lesson 14's: one member-value model, so both agree to the cent.

DEFAULTS: dict[str, float] = {
    "margin_rate": lt.MARGIN_RATE,                   # contribution margin on an order's goods
    "annual_discount_rate": lt.ANNUAL_DISCOUNT_RATE,  # Basketly's cost of money per year
    "price_cut": 0.08,                                # the flywheel proposal's price cut
    "seller_response": 0.8,                           # how strongly sellers follow customers
}
#: Months of member value counted (the model's horizon) and quarters the flywheel runs.
HORIZON = lt.MEMBER_MONTHS
QUARTERS = 36
#: The warm-up: a cohort and tenure (lesson 06), three bets (lesson 12).
RECALL_COHORT, RECALL_MONTH = "2024-01-01", 6
RECALL_BETS = (1, 2, 3)
#: Young and old cohorts compared for early churn, and the tenure compared.
YOUNG_YEAR, OLD_YEAR, EARLY_MONTH = 2025, 2023, 3
#: The day after the data ends, for counting customer-months.
DATA_END = pd.Timestamp("2026-01-01")
DAYS_PER_MONTH = 30.44


def param(ctx: Context, key: str) -> float:
    return float(ctx.params.get(key, DEFAULTS[key]))


def quarterly_rate(ctx: Context) -> float:
    """The annual discount rate as the equivalent rate per quarter."""
    return (1 + param(ctx, "annual_discount_rate")) ** (1 / 4) - 1


def _members(ctx: Context) -> pd.DataFrame:
    return ctx.load("membership")


def current_fee(ctx: Context) -> float:
    m = _members(ctx)
    return float(m.loc[m["cohort"] == m["cohort"].max(), "fee"].iloc[0])


def old_fee(ctx: Context) -> float:
    return float(_members(ctx)["fee"].min())


# ---------------------------------------------------------------- warm-up ---


def cancelled_by_6(ctx: Context) -> float:
    rows = recall_cohort(_members(ctx), RECALL_COHORT)
    return float(1 - rows[RECALL_MONTH] / rows[0])


def still_there_at_6(ctx: Context) -> float:
    return 1 - cancelled_by_6(ctx)


def _bet_chances(ctx: Context) -> np.ndarray:
    bets = ctx.load("bets").set_index("bet_id")
    return bets.loc[list(RECALL_BETS), "p_success"].to_numpy(float)


def all_three_fail(ctx: Context) -> float:
    return float(np.prod(1 - _bet_chances(ctx)))


def at_least_one_works(ctx: Context) -> float:
    return 1 - all_three_fail(ctx)


def average_failure(ctx: Context) -> float:
    return float(np.mean(1 - _bet_chances(ctx)))


# ------------------------------------------------------ inputs from the data ---


def order_uplift(ctx: Context) -> float:
    return inputs(ctx).uplift


def order_ratio(ctx: Context) -> float:
    return order_uplift(ctx) + 1


def order_uplift_unweighted(ctx: Context) -> float:
    m = _members(ctx)
    return float((m["orders_per_member"] / m["baseline_orders"]).mean() - 1)


def _per_month(ctx: Context, fee: float, *, ship_extra_only: bool = False,
               margin_on_all: bool = False) -> float:
    x, margin = inputs(ctx), param(ctx, "margin_rate")
    extra = x.baseline_orders * x.uplift
    margin_orders = x.baseline_orders * (1 + x.uplift) if margin_on_all else extra
    shipped = extra if ship_extra_only else x.baseline_orders * (1 + x.uplift)
    return fee + margin * x.order_value * margin_orders - x.shipping_cost * shipped


def monthly_value(ctx: Context) -> float:
    return value_case(ctx).monthly_value


def monthly_value_extra_shipping_only(ctx: Context) -> float:
    """The slip: charging shipping only on the extra orders, not on all member orders."""
    return _per_month(ctx, current_fee(ctx), ship_extra_only=True)


def monthly_value_margin_on_all(ctx: Context) -> float:
    """The slip: counting the margin of every member order, not only the extra ones."""
    return _per_month(ctx, current_fee(ctx), margin_on_all=True)


def monthly_value_without_fee(ctx: Context) -> float:
    return monthly_value(ctx) - current_fee(ctx)


def member_value_now(ctx: Context) -> float:
    return value_case(ctx).value


def member_value_undiscounted(ctx: Context) -> float:
    return value_case(ctx, annual_discount_rate=0.0).value


def member_value_old_fee(ctx: Context) -> float:
    return value_case(ctx, fee=old_fee(ctx)).value


def break_even_fee(ctx: Context) -> float:
    return value_case(ctx).break_even_fee


def break_even_fee_undiscounted(ctx: Context) -> float:
    return value_case(ctx, annual_discount_rate=0.0).break_even_fee


# ---------------------------------------------------- selection and churn ---


def naive_uplift(ctx: Context) -> float:
    """Members' orders per member-month over non-members' per customer-month, minus 1."""
    customers, orders = ctx.load("customers"), ctx.load("orders")
    open_months = ((DATA_END - customers["signup_date"]).dt.days / DAYS_PER_MONTH).sum()
    member_months = ((customers["member_until"].fillna(DATA_END) - customers["member_since"])
                     .dt.days / DAYS_PER_MONTH).sum()
    member_rate = orders["is_member"].sum() / member_months
    other_rate = (~orders["is_member"]).sum() / (open_months - member_months)
    return float(member_rate / other_rate - 1)


def naive_ratio(ctx: Context) -> float:
    return naive_uplift(ctx) + 1


def _early_survival(table: pd.DataFrame) -> float:
    curve = lt.kaplan_meier("duration", "observed", weights="weight",
                            data=lt.cohort_lifetimes(table))
    return float(curve.at(EARLY_MONTH)[0])


def _year(ctx: Context, year: int) -> pd.DataFrame:
    m = _members(ctx)
    return m[m["cohort"].dt.year == year]


def early_churn_gap(ctx: Context) -> float:
    """S(3) of the youngest year's cohorts minus S(3) of the oldest year's, by Kaplan–Meier."""
    return _early_survival(_year(ctx, YOUNG_YEAR)) - _early_survival(_year(ctx, OLD_YEAR))


def early_churn_gap_ignoring_censoring(ctx: Context) -> float:
    """The slip: members at tenure 3 over everyone who joined, for each year's cohorts."""
    def naive(table: pd.DataFrame) -> float:
        return float(table.loc[table["tenure_month"] == EARLY_MONTH, "members"].sum()
                     / table.loc[table["tenure_month"] == 0, "members"].sum())
    return naive(_year(ctx, YOUNG_YEAR)) - naive(_year(ctx, OLD_YEAR))


def early_churn_gap_reversed(ctx: Context) -> float:
    return -early_churn_gap(ctx)


def gap_standard_error(first: pd.DataFrame, second: pd.DataFrame, month: int) -> float:
    """Greenwood standard error of S(month) of one set of cohorts minus another's.

    The two sets hold different members, so their errors add in quadrature.
    """
    def se(table: pd.DataFrame) -> float:
        curve = lt.kaplan_meier("duration", "observed", weights="weight",
                                data=lt.cohort_lifetimes(table))
        rows = curve.table[curve.table["time"] <= month]
        return float(rows["std_error"].iloc[-1]) if len(rows) else 0.0
    return math.hypot(se(first), se(second))


def _early_gap_se(ctx: Context) -> float:
    return gap_standard_error(_year(ctx, YOUNG_YEAR), _year(ctx, OLD_YEAR), EARLY_MONTH)


def early_churn_reading(ctx: Context) -> str:
    """Whether the gap is clear of noise: beyond two standard errors either way, or not."""
    gap, se = early_churn_gap(ctx), _early_gap_se(ctx)
    if abs(gap) <= 1.96 * se:
        return "within noise"
    return "young cohorts keep more" if gap > 0 else "young cohorts lose more"


def _reading_feedback(ctx: Context) -> str:
    """What the gap really says, for a learner who read it otherwise."""
    gap, se = early_churn_gap(ctx), _early_gap_se(ctx)
    if abs(gap) <= 1.96 * se:
        return (f"The gap ({gap:+.3f}) is within 1.96 standard errors ({1.96 * se:.3f}) of zero: "
                "the data cannot tell the two apart.")
    return (f"The gap ({gap:+.3f}) is beyond 1.96 standard errors ({1.96 * se:.3f}): it is more "
            "than noise, so read which way it goes.")


# ------------------------------------------------------------- flywheel ---


def flywheel_run(ctx: Context) -> lt.FlywheelRun:
    return ctx.cached("flywheel", lambda: lt.flywheel(
        param(ctx, "price_cut"), QUARTERS, seller_response=param(ctx, "seller_response")))


def _gains(ctx: Context) -> np.ndarray:
    table = flywheel_run(ctx).to_frame()
    return (table["profit"] - table["baseline_profit"]).to_numpy(float)


def flywheel_npv(ctx: Context) -> float:
    """The gain against standing still, quarter by quarter, discounted to today."""
    return lt.npv(quarterly_rate(ctx), [0.0, *_gains(ctx)])


def flywheel_total_gain(ctx: Context) -> float:
    return float(flywheel_run(ctx).total_gain)


def flywheel_npv_annual_rate(ctx: Context) -> float:
    """The slip: discounting each quarter at the yearly rate."""
    return lt.npv(param(ctx, "annual_discount_rate"), [0.0, *_gains(ctx)])


def flywheel_npv_monthly_rate(ctx: Context) -> float:
    return lt.npv(lt.monthly_rate(param(ctx, "annual_discount_rate")), [0.0, *_gains(ctx)])


def price_facts(ctx: Context) -> Evidence:
    """The flywheel run: the first dip, the undiscounted and the discounted gain."""
    run = flywheel_run(ctx)
    value = flywheel_npv(ctx)
    call = "cut prices" if value > 0 else "hold prices"
    return Evidence(call, (
        Fact("discounted gain", value, "number", require="number",
             synonyms=("npv", "net present value", "discounted", "present value",
                       "discounted profit", "worth today", "today's money")),
        Fact("undiscounted gain", run.total_gain, "number",
             synonyms=("undiscounted", "cumulative gain", "total gain", "plain sum",
                       "cumulative profit", "total profit", "before discounting")),
        Fact("first-quarter profit", run.first_period_profit_change,
             synonyms=("profit dips", "dip", "dips", "first quarter", "first period"),
             better="up"),
        Fact("breakeven quarter", run.breakeven_period, "number", change=False,
             synonyms=("quarter", "breakeven", "break even", "earns back", "earned back",
                       "pays back", "earns the dip back")),
        Fact("customers", run.customers_multiple, "multiple", change=False,
             synonyms=("customer base", "the customers")),
    ), rule="judge the cut by its discounted gain against standing still (NPV at the cost of "
            "money), not by the first quarter and not by the undiscounted total",
        given=(float(QUARTERS), param(ctx, "price_cut"), 100 * param(ctx, "price_cut"),
               param(ctx, "annual_discount_rate"), 100 * param(ctx, "annual_discount_rate"),
               param(ctx, "seller_response")))


def price_call(ctx: Context) -> str:
    return price_facts(ctx).call


def _cut_question(ctx: Context) -> str:
    run = flywheel_run(ctx)
    return (f"The undiscounted gain is {run.total_gain:+.3f}, but it arrives late: discounted at "
            f"{quarterly_rate(ctx):.2%} a quarter it is worth {flywheel_npv(ctx):+.3f} today. "
            "Which of the two is the value of the cut?")


def _hold_question(ctx: Context) -> str:
    return (f"Discounted to today, the cut is worth {flywheel_npv(ctx):+.3f} against standing "
            "still. Are you judging the flywheel by its first quarter?")


EXERCISES = [
    Exercise(
        name="cancelled_by_month_6",
        question="Warm-up (lesson 06): share of the members who joined in January 2024 who had "
                 "cancelled by the start of tenure month 6, as a fraction.",
        expected=cancelled_by_6,
        grade=number(rel_tol=1e-4, mistakes=[
            (still_there_at_6, "That is the share still subscribed; the question asks for the "
                               "share who had left."),
        ]),
        hints=ladder(
            "Those who left are everyone who joined minus those still there; as a share of "
            "everyone who joined.",
            "Keep the January 2024 cohort, index by `tenure_month`, then compute 1 − members at "
            "6 ÷ members at 0.",
            "rows = membership[membership['cohort'] == '___'].set_index('tenure_month')['members']"
            "\ncancelled_by_month_6 = 1 - rows[___] / rows[0]",
            "rows = membership[membership['cohort'] == '2024-01-01'].set_index('tenure_month')"
            "['members']\ncancelled_by_month_6 = 1 - rows[6] / rows[0]",
        ),
        minutes=2, level="remember", recalls="06",
    ),
    Exercise(
        name="all_three_fail",
        question="Warm-up (lesson 12): the chance that bets 1, 2 and 3 of the bets table all "
                 "fail, if they succeed or fail independently.",
        expected=all_three_fail,
        grade=number(rel_tol=1e-4, mistakes=[
            (at_least_one_works, "That is the chance at least one works: the complement."),
            (average_failure, "That averages the failure chances; for all of them to fail, "
                              "multiply them."),
        ]),
        hints=ladder(
            "Independent events all happen with the product of their chances; a bet fails with "
            "one minus its chance of success.",
            "Take `p_success` of bets 1, 2 and 3 from the `bets` table, turn each into a "
            "failure chance and multiply them (`.prod()`).",
            "chances = bets.set_index('bet_id').loc[[1, 2, 3], '___']\n"
            "all_three_fail = (___ - chances).prod()",
            "chances = bets.set_index('bet_id').loc[[1, 2, 3], 'p_success']\n"
            "all_three_fail = (1 - chances).prod()",
        ),
        minutes=2, level="remember", recalls="12",
    ),
    Exercise(
        name="order_uplift",
        question="How much more members order than the same customers would without Plus, as a "
                 "fraction (0.3 = 30% more): total member orders over total baseline orders "
                 "(baseline_orders × members), minus 1.",
        expected=order_uplift,
        grade=number(rel_tol=1e-4, mistakes=[
            (order_ratio, "That is the ratio of the two order counts; the uplift is the ratio "
                          "minus 1."),
            (order_uplift_unweighted, "That averages each row's ratio, so a cohort-month with "
                                      "a handful of members counts as much as a big one. Add "
                                      "up the orders first."),
        ]),
        hints=ladder(
            "Compare what members ordered with what the same people would have ordered anyway; "
            "the extra share is the uplift Plus causes.",
            "The `orders` column counts member orders; `baseline_orders` × `members` is what "
            "the same members would have ordered. Divide the two totals and subtract 1.",
            "order_uplift = membership['___'].sum() / (membership['baseline_orders'] * "
            "membership['___']).sum() - 1",
            "order_uplift = membership['orders'].sum() / (membership['baseline_orders'] * "
            "membership['members']).sum() - 1",
        ),
        minutes=3, level="apply",
    ),
    Exercise(
        name="naive_uplift",
        question="The dashboard's comparison: member orders per member-month over non-member "
                 "orders per non-member customer-month, minus 1.",
        expected=naive_uplift,
        grade=number(rel_tol=1e-3, mistakes=[
            (naive_ratio, "That is the ratio; subtract 1 for the uplift."),
            (order_uplift, "That is the matched uplift from the membership table; this one "
                           "compares all members with all non-members, from the customers and "
                           "orders tables."),
        ]),
        hints=ladder(
            "A dashboard compares everyone who is a member with everyone who is not, month by "
            "month, with no attempt to compare like with like.",
            "Customer-months: days from `signup_date` to the end of the data ÷ 30.44, summed; "
            "member-months likewise from `member_since` to `member_until` (or the end). "
            "Divide member orders by member-months and the other orders by the other months.",
            "end = pd.Timestamp('2026-01-01')\n"
            "open_months = ((end - customers['signup_date']).dt.days / 30.44).sum()\n"
            "member_months = ((customers['member_until'].fillna(end) - customers['___'])"
            ".dt.days / 30.44).sum()\n"
            "member_rate = orders['is_member'].sum() / member_months\n"
            "other_rate = (~orders['is_member']).sum() / (open_months - ___)\n"
            "naive_uplift = member_rate / other_rate - 1",
            "end = pd.Timestamp('2026-01-01')\n"
            "open_months = ((end - customers['signup_date']).dt.days / 30.44).sum()\n"
            "member_months = ((customers['member_until'].fillna(end) - customers['member_since'])"
            ".dt.days / 30.44).sum()\n"
            "member_rate = orders['is_member'].sum() / member_months\n"
            "other_rate = (~orders['is_member']).sum() / (open_months - member_months)\n"
            "naive_uplift = member_rate / other_rate - 1",
        ),
        minutes=6, level="analyse",
    ),
    Exercise(
        name="monthly_value",
        question="Value of one member in one month at the current fee, in USD: the fee, plus the "
                 "margin on the extra orders, minus free shipping on all member orders.",
        expected=monthly_value,
        grade=number(rel_tol=1e-6, unit=" USD", mistakes=[
            (monthly_value_extra_shipping_only,
             "You charged shipping only on the extra orders. Members get free shipping on every "
             "order, including those they would have placed anyway."),
            (monthly_value_margin_on_all,
             "You counted the margin on every member order. The orders a member would have "
             "placed anyway earned that margin before Plus; only the extra ones are new."),
            (monthly_value_without_fee, "You left out the fee members pay each month."),
        ]),
        hints=ladder(
            "Plus brings the fee and the margin on orders that would not have happened; it costs "
            "the delivery of every member order, old and new.",
            "Extra orders: `inputs.baseline_orders * inputs.uplift`; all member orders: "
            "`inputs.baseline_orders * (1 + inputs.uplift)`. Margin per order: `margin_rate * "
            "inputs.order_value`.",
            "extra = inputs.baseline_orders * inputs.uplift\n"
            "shipped = inputs.baseline_orders * (1 + ___)\n"
            "monthly_value = ___ + margin_rate * inputs.order_value * extra - "
            "inputs.shipping_cost * ___",
            "extra = inputs.baseline_orders * inputs.uplift\n"
            "shipped = inputs.baseline_orders * (1 + inputs.uplift)\n"
            "monthly_value = current_fee + margin_rate * inputs.order_value * extra - "
            "inputs.shipping_cost * shipped",
        ),
        minutes=4, level="apply",
    ),
    Exercise(
        name="member_value_now",
        question="Value one new member adds over 36 months at the current fee, in USD, from "
                 "`lt.member_value` with the lesson's margin and discount rate.",
        expected=member_value_now,
        grade=number(rel_tol=1e-6, unit=" USD", mistakes=[
            (member_value_undiscounted, "That is undiscounted; keep `annual_discount_rate`."),
            (member_value_old_fee, "That is at the old fee, as in the worked example; the "
                                   "question is today's fee."),
        ]),
        hints=ladder(
            "The same model as lesson 14, at today's fee: every input comes from the membership "
            "table.",
            "`inputs` already holds today's fee; call `lt.member_value` with it and read "
            "`.value`.",
            "member_value_now = lt.member_value(**inputs.as_dict(), margin_rate=___,\n"
            "                                   annual_discount_rate=___).value",
            "member_value_now = lt.member_value(**inputs.as_dict(), margin_rate=margin_rate,\n"
            "                                   annual_discount_rate=annual_discount_rate).value",
        ),
        minutes=2, level="apply",
    ),
    Exercise(
        name="break_even_fee",
        question="The lowest monthly fee (USD) at which a new member still adds value over 36 "
                 "months, all else equal.",
        expected=break_even_fee,
        grade=number(rel_tol=1e-4, unit=" USD", mistakes=[
            (break_even_fee_undiscounted, "That break-even ignores discounting; keep the "
                                          "discount rate."),
        ]),
        hints=ladder(
            "Value rises by the same amount for every extra dollar of fee, so there is one fee "
            "at which a member adds exactly nothing.",
            "The `MemberValue` result reports it as `break_even_fee`; or try fees until "
            "`.value` is zero.",
            "break_even_fee = lt.member_value(**inputs.as_dict(), margin_rate=margin_rate,\n"
            "                                 annual_discount_rate=annual_discount_rate).___",
            "break_even_fee = lt.member_value(**inputs.as_dict(), margin_rate=margin_rate,\n"
            "                                 annual_discount_rate=annual_discount_rate)"
            ".break_even_fee",
        ),
        minutes=2, level="apply",
    ),
    Exercise(
        name="early_churn_gap",
        question="Kaplan–Meier share still subscribed at month 3 for members who joined in 2025, "
                 "minus the same for members who joined in 2023.",
        expected=early_churn_gap,
        grade=number(rel_tol=1e-4, abs_tol=1e-6, mistakes=[
            (early_churn_gap_ignoring_censoring,
             "That divides month-3 members by everyone who joined, but the latest 2025 cohorts "
             "have not reached month 3 yet, so they look as if they had all left. Use "
             "Kaplan–Meier on each year's cohorts."),
            (early_churn_gap_reversed, "Right size, other way round: 2025 minus 2023."),
        ]),
        hints=ladder(
            "Young cohorts have only a few months of history; compare like with like by letting "
            "each member count only while we watched them.",
            "Filter the 2025 cohorts and the 2023 cohorts (`membership['cohort'].dt.year`), run "
            "the Kaplan–Meier recipe of lesson 14 on each and take `.at(3)[0]`.",
            "def survival_at_3(table):\n"
            "    curve = lt.kaplan_meier('duration', 'observed', weights='weight',\n"
            "                            data=lt.cohort_lifetimes(table))\n"
            "    return curve.at(___)[0]\n"
            "year = membership['cohort'].dt.year\n"
            "early_churn_gap = survival_at_3(membership[year == ___]) - "
            "survival_at_3(membership[year == ___])",
            "def survival_at_3(table):\n"
            "    curve = lt.kaplan_meier('duration', 'observed', weights='weight',\n"
            "                            data=lt.cohort_lifetimes(table))\n"
            "    return curve.at(3)[0]\n"
            "year = membership['cohort'].dt.year\n"
            "early_churn_gap = survival_at_3(membership[year == 2025]) - "
            "survival_at_3(membership[year == 2023])",
        ),
        minutes=5, level="analyse",
    ),
    Exercise(
        name="early_churn_reading",
        question="Is the gap beyond noise? 'young cohorts lose more', 'young cohorts keep more' "
                 "or 'within noise' (a gap within 1.96 standard errors is within noise).",
        expected=early_churn_reading,
        grade=choice(["young cohorts lose more", "young cohorts keep more", "within noise"],
                     mistakes={
                         "young cohorts lose more": _reading_feedback,
                         "young cohorts keep more": _reading_feedback,
                         "within noise": _reading_feedback,
                     }),
        hints=ladder(
            "A difference means something only when it is larger than the wobble two samples of "
            "this size would show by chance.",
            "`early_gap_se` (printed above) is the standard error of the gap; compare the gap "
            "with 1.96 times it.",
            "early_churn_reading = ('within noise' if abs(early_churn_gap) <= ___ * early_gap_se\n"
            "                       else 'young cohorts keep more' if early_churn_gap > 0\n"
            "                       else 'young cohorts lose more')",
            "early_churn_reading = ('within noise' if abs(early_churn_gap) <= 1.96 * early_gap_se\n"
            "                       else 'young cohorts keep more' if early_churn_gap > 0\n"
            "                       else 'young cohorts lose more')",
        ),
        minutes=2, level="evaluate",
    ),
    Exercise(
        name="flywheel_npv",
        question="The flywheel's gain against standing still (profit − baseline profit, quarter "
                 "by quarter, quarter 1 discounted once), discounted at the quarterly rate: its "
                 "net present value.",
        expected=flywheel_npv,
        grade=number(rel_tol=1e-4, abs_tol=1e-6, mistakes=[
            (flywheel_total_gain, "That is the undiscounted total: gains in year nine count as "
                                  "much as today's. Discount each quarter at `quarterly_rate`."),
            (flywheel_npv_annual_rate, "You discounted each quarter at the yearly rate; use "
                                       "`quarterly_rate`."),
            (flywheel_npv_monthly_rate, "You discounted each quarter at the monthly rate; the "
                                        "flywheel runs in quarters, so use `quarterly_rate`."),
        ]),
        hints=ladder(
            "A gain that arrives years from now is worth less today; add up the quarterly gains "
            "the way lesson 14 added up the robots' savings.",
            "From `run.to_frame()`, the gain is `profit - baseline_profit`. Put a 0 for today in "
            "front and call `lt.npv(quarterly_rate, ...)`.",
            "table = run.to_frame()\ngain = table['profit'] - table['___']\n"
            "flywheel_npv = lt.npv(___, [0, *gain])",
            "table = run.to_frame()\ngain = table['profit'] - table['baseline_profit']\n"
            "flywheel_npv = lt.npv(quarterly_rate, [0, *gain])",
        ),
        minutes=4, level="apply",
    ),
    Exercise(
        name="price_call",
        question="'cut prices' or 'hold prices', then a colon and your evidence.",
        expected=price_call,
        grade=decision(
            ["cut prices", "hold prices"], price_facts,
            questions={"hold prices": _hold_question, "cut prices": _cut_question},
        ),
        hints=ladder(
            "A PM judges a dip by what the whole run is worth today: the dip, when it is earned "
            "back, and the gain once later quarters are discounted.",
            "Look up `run.first_period_profit_change`, `run.total_gain`, `run.breakeven_period` "
            "and your `flywheel_npv`; the sign of the last decides.",
            "price_call = (f\"___: profit dips {-run.first_period_profit_change:.0%} in the "
            "first quarter; the undiscounted gain is {run.total_gain:+.3f}, but discounted it "
            "is {___:+.3f}\")",
            "call = \"cut prices\" if flywheel_npv > 0 else \"hold prices\"\n"
            "price_call = (f\"{call}: profit dips {-run.first_period_profit_change:.0%} in the "
            "first quarter; the undiscounted gain is {run.total_gain:+.3f}, but discounted it "
            "is {flywheel_npv:+.3f}\")",
        ),
        minutes=4, level="evaluate",
    ),
]


__all__ = ["DEFAULTS", "EXERCISES", "HORIZON", "QUARTERS", "gap_standard_error", "truth_value"]
