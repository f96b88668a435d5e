"""Exercises for lesson 14_lifetime_value: NPV, survival, a member's lifetime value, marginal CAC.

The lesson's economics (margin rate, discount rate, acquisition costs) are parameters of the
notebook; it copies them into ``lesson.context.params`` so the checks use the learner's
numbers. A member's value comes from the course's one member-value model,
``pmkit.longterm.member_value`` (lessons 15 and 17 use the same one).
"""

from __future__ import annotations

import math

import pandas as pd

from pmkit import longterm as lt
from pmkit.exercises.engine import Context, Exercise, decision, ladder, number
from pmkit.exercises.evidence import Evidence, Fact

#: The numbers Basketly's finance team uses unless the notebook's parameters say otherwise.
DEFAULTS: dict[str, float] = {
    "margin_rate": lt.MARGIN_RATE,          # contribution margin on the goods of an order
    "annual_discount_rate": lt.ANNUAL_DISCOUNT_RATE,  # Basketly's cost of money per year
    "average_cac": 40.0,                    # USD: this year's spend ÷ members it won
    "spend_response": 0.2,                  # marketing's test: +1% spend wins +0.2% members
}
#: Months of member value the lesson counts (the model's horizon).
HORIZON = lt.MEMBER_MONTHS
#: The worked example's shorter horizon.
SHORT_HORIZON = 12
#: The lesson's first example: warehouse robots, thousand USD per year, year 0 = today.
ROBOTS = (-500.0, 90.0, 120.0, 140.0, 140.0, 140.0, 140.0)
#: The discount rate the first exercise asks about.
ROBOTS_RATE = 0.15
#: The warm-up's cohort and its tenure; and the warm-up's sum of money in three years.
RECALL_COHORT, RECALL_MONTH = "2023-07-01", 12
RECALL_AMOUNT, RECALL_YEARS, RECALL_RATE = 100.0, 3, 0.10


def param(ctx: Context, key: str) -> float:
    return float(ctx.params.get(key, DEFAULTS[key]))


def monthly_rate(ctx: Context) -> float:
    """The annual discount rate as the equivalent monthly rate."""
    return lt.monthly_rate(param(ctx, "annual_discount_rate"))


def _members(ctx: Context) -> pd.DataFrame:
    return ctx.load("membership")


# ---------------------------------------------------------------- warm-up ---


def recall_cohort(table: pd.DataFrame, cohort: str = RECALL_COHORT) -> pd.Series:
    """Members at each tenure of one cohort (the warm-up's, July 2023), by tenure month."""
    rows = table[table["cohort"] == pd.Timestamp(cohort)]
    return rows.set_index("tenure_month")["members"]


def cohort_retention_12(ctx: Context) -> float:
    rows = recall_cohort(_members(ctx))
    return float(rows[RECALL_MONTH] / rows[0])


def cohort_retention_11(ctx: Context) -> float:
    rows = recall_cohort(_members(ctx))
    return float(rows[RECALL_MONTH - 1] / rows[0])


def cohort_churned_by_12(ctx: Context) -> float:
    return 1 - cohort_retention_12(ctx)


def present_value(ctx: Context) -> float:
    return RECALL_AMOUNT / (1 + RECALL_RATE) ** RECALL_YEARS


def present_value_simple(ctx: Context) -> float:
    """The slip: taking 10% off three times without compounding."""
    return RECALL_AMOUNT * (1 - RECALL_RATE * RECALL_YEARS)


def future_value(ctx: Context) -> float:
    return RECALL_AMOUNT * (1 + RECALL_RATE) ** RECALL_YEARS


# ------------------------------------------------------------------ robots ---


def robots_npv(ctx: Context) -> float:
    return lt.npv(ROBOTS_RATE, ROBOTS)


def robots_npv_outlay_discounted(ctx: Context) -> float:
    """The spreadsheet slip: discounting today's outlay as if it came a year later."""
    return lt.npv(ROBOTS_RATE, [0.0, *ROBOTS])


def robots_total(ctx: Context) -> float:
    return float(sum(ROBOTS))


# -------------------------------------------------------------- survival ---


def fee_rise_month(membership: pd.DataFrame) -> pd.Timestamp:
    """The first calendar month in which members paid the highest fee."""
    month = membership["cohort"].dt.to_period("M") + membership["tenure_month"]
    return month[membership["fee"] == membership["fee"].max()].min().to_timestamp()


def _curve_of(table: pd.DataFrame) -> lt.SurvivalCurve:
    return lt.kaplan_meier("duration", "observed", weights="weight",
                           data=lt.cohort_lifetimes(table))


def survival(ctx: Context) -> lt.SurvivalCurve:
    return ctx.cached("km_all", lambda: _curve_of(_members(ctx)))


def first_month_churn(ctx: Context) -> float:
    first = _members(ctx).query("tenure_month == 0")
    return float(first["churned"].sum() / first["members"].sum())


def first_month_churn_unweighted(ctx: Context) -> float:
    first = _members(ctx).query("tenure_month == 0")
    return float((first["churned"] / first["members"]).mean())


def first_month_retention(ctx: Context) -> float:
    return 1 - first_month_churn(ctx)


def _after_fee_rise(ctx: Context) -> pd.DataFrame:
    m = _members(ctx)
    return m[m["cohort"] >= fee_rise_month(m)]


def survival_12_after_rise(ctx: Context) -> float:
    curve = ctx.cached("km_after", lambda: _curve_of(_after_fee_rise(ctx)))
    return float(curve.at(12)[0])


def survival_12_all_cohorts(ctx: Context) -> float:
    return float(survival(ctx).at(12)[0])


def survival_12_ignoring_censoring(ctx: Context) -> float:
    """The tempting slip: members at month 12 over every member who ever joined."""
    m = _after_fee_rise(ctx)
    return float(m.loc[m["tenure_month"] == 12, "members"].sum()
                 / m.loc[m["tenure_month"] == 0, "members"].sum())


# ------------------------------------------------------------ member value ---


def inputs(ctx: Context) -> lt.MemberInputs:
    return ctx.cached("inputs", lambda: lt.member_inputs(_members(ctx)))


def value_case(ctx: Context, **changes) -> lt.MemberValue:
    """The one member-value model on this lesson's parameters; ``changes`` for the slips."""
    args = {**inputs(ctx).as_dict(), "margin_rate": param(ctx, "margin_rate"),
            "annual_discount_rate": param(ctx, "annual_discount_rate"), "months": HORIZON}
    args.update(changes)
    return lt.member_value(**args)


def member_ltv(ctx: Context) -> float:
    return value_case(ctx).value


def member_ltv_undiscounted(ctx: Context) -> float:
    return value_case(ctx, annual_discount_rate=0.0).value


def member_ltv_short(ctx: Context) -> float:
    return value_case(ctx, months=SHORT_HORIZON).value


def member_ltv_annual_rate_monthly(ctx: Context) -> float:
    """Discounting every month at the yearly rate: as if a year passed each month."""
    rate = param(ctx, "annual_discount_rate")
    return value_case(ctx, annual_discount_rate=(1 + rate) ** 12 - 1).value


def payback_months(ctx: Context) -> float:
    return value_case(ctx, acquisition_cost=param(ctx, "average_cac")).payback_months


def payback_undiscounted(ctx: Context) -> float:
    return value_case(ctx, annual_discount_rate=0.0,
                      acquisition_cost=param(ctx, "average_cac")).payback_months


# ---------------------------------------------------------- acquisition ---


def extra_members_share(ctx: Context) -> float:
    """Doubling spend wins 2^response − 1 more members (a constant-elasticity response)."""
    return 2 ** param(ctx, "spend_response") - 1


def marginal_cac(ctx: Context) -> float:
    """Extra spend ÷ extra members when spend doubles, per member won today."""
    return param(ctx, "average_cac") / extra_members_share(ctx)


def new_average_cac(ctx: Context) -> float:
    """The slip: the doubled plan's average cost per member, not the cost of the extra ones."""
    return 2 * param(ctx, "average_cac") / (1 + extra_members_share(ctx))


def break_even_response(ctx: Context) -> float:
    """The spend response at which the extra members are worth exactly what they cost."""
    return math.log2(1 + param(ctx, "average_cac") / member_ltv(ctx))


def break_even_response_average(ctx: Context) -> float:
    """The slip: the response at which the doubled plan's average CAC equals the value."""
    return 1 - math.log2(member_ltv(ctx) / param(ctx, "average_cac"))


def spend_facts(ctx: Context) -> Evidence:
    """A member's value against the cost of the members extra spend would win."""
    value, marginal, average = member_ltv(ctx), marginal_cac(ctx), param(ctx, "average_cac")
    call = "double the spend" if value > marginal else "hold the spend"
    return Evidence(call, (
        Fact("member value", value, "usd", change=False, require="number", versus=marginal,
             synonyms=("ltv", "lifetime value", "member worth", "worth", "a member",
                       "value of a member"),
             also=(member_ltv_undiscounted(ctx),)),
        Fact("marginal acquisition cost", marginal, "usd", change=False, require="number",
             synonyms=("marginal cac", "marginal cost", "extra members cost", "extra member",
                       "each extra member", "the extra members", "cost of the extra members")),
        Fact("average acquisition cost", average, "usd", change=False,
             synonyms=("average cac", "average cost", "cac today", "today's cac",
                       "average member", "average member costs", "today's average",
                       "average acquisition")),
        Fact("payback", payback_months(ctx), "months", change=False,
             synonyms=("pays back", "repays", "paid back", "pay back", "breaks even")),
        Fact("spend response", param(ctx, "spend_response"), "number", change=False,
             synonyms=("spend response of", "elasticity")),
        Fact("extra members", extra_members_share(ctx), change=False,
             synonyms=("more members", "members more", "extra members share")),
        Fact("break-even response", break_even_response(ctx), "number", change=False,
             synonyms=("break even response", "the response", "response is above",
                       "response above", "response would have to be")),
    ), rule="spend more only while a member's discounted value exceeds the MARGINAL cost of the "
            "members the extra spend wins; the average cost answers a different question",
        given=(float(HORIZON), 2.0, 1.0))


def spend_call(ctx: Context) -> str:
    return spend_facts(ctx).call


def _double_question(ctx: Context) -> str:
    return (f"Doubling the spend wins only {extra_members_share(ctx):.0%} more members, so each "
            f"extra member costs about {marginal_cac(ctx):.0f} USD, against a member value of "
            f"{member_ltv(ctx):.0f} USD. Which cost did you compare the value with: the average "
            "one or the cost of the members the new money buys?")


def _hold_question(ctx: Context) -> str:
    return (f"Each extra member costs about {marginal_cac(ctx):.0f} USD and is worth "
            f"{member_ltv(ctx):.0f} USD over {HORIZON} months. What would holding the spend "
            "leave on the table?")


EXERCISES = [
    Exercise(
        name="cohort_retention",
        question="Warm-up (lesson 06): share of the members who joined in July 2023 still "
                 "subscribed at tenure month 12, as a fraction of those who joined.",
        expected=cohort_retention_12,
        grade=number(rel_tol=1e-4, mistakes=[
            (cohort_retention_11, "That is tenure month 11: the joining month is month 0, so "
                                  "month 12 is the thirteenth row."),
            (cohort_churned_by_12, "That is the share who left; retention is the share still "
                                   "there."),
        ]),
        hints=ladder(
            "A cohort's retention at a month is the members still there divided by the members "
            "who joined, both read from the same cohort.",
            "Keep the rows whose `cohort` is `'2023-07-01'`, index them by `tenure_month`, then "
            "divide `members` at 12 by `members` at 0.",
            "rows = membership[membership['cohort'] == '___'].set_index('tenure_month')['members']"
            "\ncohort_retention = rows[___] / rows[___]",
            "rows = membership[membership['cohort'] == '2023-07-01'].set_index('tenure_month')"
            "['members']\ncohort_retention = rows[12] / rows[0]",
        ),
        minutes=2, level="remember", recalls="06",
    ),
    Exercise(
        name="present_value",
        question="Warm-up (lesson 12): what 100 USD received in 3 years is worth today at 10% a "
                 "year, in USD.",
        expected=present_value,
        grade=number(rel_tol=1e-4, unit=" USD", mistakes=[
            (present_value_simple, "That takes 10% off three times without compounding; divide "
                                   "by 1.1 once for each year instead."),
            (future_value, "That is what 100 USD today grows to in three years; discounting "
                           "goes the other way."),
        ]),
        hints=ladder(
            "Money later is worth less today: each year divides it by one plus the rate.",
            "Divide 100 by 1.1 raised to the number of years.",
            "present_value = 100 / (1 + ___) ** ___",
            "present_value = 100 / (1 + 0.10) ** 3",
        ),
        minutes=1, level="remember", recalls="12",
    ),
    Exercise(
        name="robots_npv",
        question="NPV of the robots project at 15% a year, in thousand USD.",
        expected=robots_npv,
        grade=number(rel_tol=1e-4, unit=" thousand USD", mistakes=[
            (robots_npv_outlay_discounted,
             "You discounted the outlay too, as spreadsheet NPV functions do: the first cash flow "
             "is today and is not discounted. pmkit's npv starts at t = 0."),
            (robots_total, "That is the plain sum of the cash flows; discount each year's cash "
                           "first."),
        ]),
        hints=ladder(
            "The same cash arrives in the same years; a more demanding investor only discounts "
            "it harder.",
            "Call `lt.npv(rate, cashflows)` with the new rate and the same `robots` list; the "
            "first value is today.",
            "robots_npv = lt.npv(___, robots)",
            "robots_npv = lt.npv(0.15, robots)",
        ),
        minutes=2, level="apply",
    ),
    Exercise(
        name="first_month_churn",
        question="Share of new members who cancel in their first membership month (tenure "
                 "month 0), pooled over all cohorts, as a fraction.",
        expected=first_month_churn,
        grade=number(rel_tol=1e-4, mistakes=[
            (first_month_churn_unweighted, "That averages each cohort's rate, so small cohorts "
                                           "count as much as big ones: pool the counts instead."),
            (first_month_retention, "That is the share who stayed; churn is the share who left."),
        ]),
        hints=ladder(
            "Every cohort has a first month; pool them all and ask what share of the people who "
            "started it cancelled.",
            "Keep the rows with `tenure_month == 0`, then divide the total `churned` by the "
            "total `members`.",
            "first = membership.query('tenure_month == ___')\n"
            "first_month_churn = first['___'].sum() / first['members'].sum()",
            "first = membership.query('tenure_month == 0')\n"
            "first_month_churn = first['churned'].sum() / first['members'].sum()",
        ),
        minutes=3, level="apply",
    ),
    Exercise(
        name="survival_after_fee_rise",
        question="Kaplan–Meier share of members who joined at the higher fee (cohorts from "
                 "`fee_rise` on) still subscribed after 12 months.",
        expected=survival_12_after_rise,
        grade=number(rel_tol=1e-4, mistakes=[
            (survival_12_ignoring_censoring,
             "That divides month-12 members by everyone who joined, but the youngest cohorts "
             "cannot have reached month 12 yet. Kaplan–Meier counts each member only while we "
             "can see them: use lt.kaplan_meier on lt.cohort_lifetimes."),
            (survival_12_all_cohorts, "That is every cohort; keep only those that joined from "
                                      "`fee_rise` on."),
        ]),
        hints=ladder(
            "Young cohorts have not had twelve months yet; count each member only for the "
            "months we could watch them.",
            "Filter the cohorts that joined from `fee_rise` on, then repeat the worked example "
            "on that table: `lt.cohort_lifetimes`, `lt.kaplan_meier`, `.at(12)`.",
            "later = membership[membership['cohort'] >= ___]\n"
            "later_curve = lt.kaplan_meier('duration', 'observed', weights='weight',\n"
            "                              data=lt.cohort_lifetimes(___))\n"
            "survival_after_fee_rise = later_curve.at(___)[0]",
            "later = membership[membership['cohort'] >= fee_rise]\n"
            "later_curve = lt.kaplan_meier('duration', 'observed', weights='weight',\n"
            "                              data=lt.cohort_lifetimes(later))\n"
            "survival_after_fee_rise = later_curve.at(12)[0]",
        ),
        minutes=4, level="apply",
    ),
    Exercise(
        name="member_ltv",
        question="Lifetime value of one new member over 36 months in USD, from the member-value "
                 "model (`lt.member_value`) with the lesson's margin and discount rate.",
        expected=member_ltv,
        grade=number(rel_tol=1e-6, unit=" USD", mistakes=[
            (member_ltv_short, "That is the worked example's 12 months; count 36."),
            (member_ltv_undiscounted, "That is the undiscounted total: a dollar in month 36 is "
                                      "worth less than a dollar today. Keep "
                                      "`annual_discount_rate`."),
            (member_ltv_annual_rate_monthly, "You discounted each month as if a year had passed; "
                                             "pass the annual rate and let the model turn it "
                                             "into a monthly one."),
        ]),
        hints=ladder(
            "A member is worth the discounted cash of every month they are likely to stay; a "
            "longer horizon counts more of those months.",
            "Rerun the worked example's `lt.member_value` with the same inputs, changing only "
            "`months`.",
            "member_ltv = lt.member_value(**inputs.as_dict(), margin_rate=margin_rate,\n"
            "                             annual_discount_rate=annual_discount_rate,\n"
            "                             months=___).___",
            "member_ltv = lt.member_value(**inputs.as_dict(), margin_rate=margin_rate,\n"
            "                             annual_discount_rate=annual_discount_rate,\n"
            "                             months=36).value",
        ),
        minutes=3, level="apply",
    ),
    Exercise(
        name="payback_months",
        question="Months until one new member's discounted cash repays today's average "
                 "acquisition cost (`average_cac`).",
        expected=payback_months,
        grade=number(rel_tol=1e-4, unit=" months", mistakes=[
            (payback_undiscounted, "That payback ignores discounting; keep the annual discount "
                                   "rate."),
        ]),
        hints=ladder(
            "Payback is the month when the running total of a member's discounted cash first "
            "covers what it cost to win them.",
            "Give `lt.member_value` the `acquisition_cost` and read its `payback_months` field.",
            "payback_months = lt.member_value(**inputs.as_dict(), margin_rate=margin_rate,\n"
            "                                 annual_discount_rate=annual_discount_rate,\n"
            "                                 acquisition_cost=___).___",
            "payback_months = lt.member_value(**inputs.as_dict(), margin_rate=margin_rate,\n"
            "                                 annual_discount_rate=annual_discount_rate,\n"
            "                                 acquisition_cost=average_cac).payback_months",
        ),
        minutes=2, level="apply",
    ),
    Exercise(
        name="marginal_cac",
        question="If the spend doubles, what does each EXTRA member cost, in USD (extra spend ÷ "
                 "extra members)?",
        expected=marginal_cac,
        grade=number(rel_tol=1e-4, unit=" USD", mistakes=[
            (new_average_cac, "That is the doubled plan's average cost per member: it mixes the "
                              "cheap members we win today with the dear new ones. Divide the "
                              "extra spend by the extra members only."),
            (lambda ctx: param(ctx, "average_cac"),
             "That is today's average cost. The question is what the next members cost."),
        ]),
        hints=ladder(
            "The first members a campaign wins are the cheapest; the money added on top buys "
            "fewer of them, so the extra members cost more than the average one.",
            "Per member won today, doubling adds `average_cac` of spend and "
            "`2 ** spend_response - 1` members. Divide the first by the second.",
            "extra_members = 2 ** ___ - 1\nmarginal_cac = ___ / extra_members",
            "extra_members = 2 ** spend_response - 1\nmarginal_cac = average_cac / extra_members",
        ),
        minutes=4, level="understand",
    ),
    Exercise(
        name="break_even_response",
        question="How responsive would acquisition have to be for doubling the spend to break "
                 "even: the spend response at which the extra members cost exactly "
                 "`member_ltv` each?",
        expected=break_even_response,
        grade=number(rel_tol=1e-4, mistakes=[
            (break_even_response_average,
             "That is the response at which the doubled plan's AVERAGE cost equals a member's "
             "value. Break even is where the cost of the EXTRA members does: set "
             "average_cac / (2 ** r - 1) equal to member_ltv and solve for r."),
        ]),
        hints=ladder(
            "The extra members are worth buying until each costs what it returns; find the "
            "response that makes those two equal.",
            "Set `average_cac / (2 ** r - 1)` equal to `member_ltv`, so `2 ** r = 1 + "
            "average_cac / member_ltv`; take `np.log2` of both sides.",
            "break_even_response = np.log2(1 + ___ / ___)",
            "break_even_response = np.log2(1 + average_cac / member_ltv)",
        ),
        minutes=5, level="analyse",
    ),
    Exercise(
        name="spend_call",
        question="'double the spend' or 'hold the spend', then a colon and your evidence.",
        expected=spend_call,
        grade=decision(
            ["double the spend", "hold the spend"], spend_facts,
            questions={"double the spend": _double_question, "hold the spend": _hold_question},
        ),
        hints=ladder(
            "A PM weighs what one more member is worth against what one more member costs: "
            "the value of a member over the horizon, and the cost of the members the new money "
            "would win, not of the members we already win cheaply.",
            "Look up `member_ltv`, `marginal_cac` and `average_cac`; the call follows from "
            "comparing the first with the second.",
            "spend_call = (f\"___: a member is worth {member_ltv:.0f} USD over 36 months, "
            "against {___:.0f} USD for each extra member doubling the spend would win "
            "(the average member costs {average_cac:.0f} USD)\")",
            "call = \"double the spend\" if member_ltv > marginal_cac else \"hold the spend\"\n"
            "spend_call = (f\"{call}: a member is worth {member_ltv:.0f} USD over 36 months, "
            "against {marginal_cac:.0f} USD for each extra member doubling the spend would win "
            "(the average member costs {average_cac:.0f} USD)\")",
        ),
        minutes=4, level="evaluate",
    ),
]


def truth_value(ctx: Context) -> float:
    """A member's value with the generator's true uplift and survival (for the reveal test)."""
    truth = ctx.truth("membership")
    return value_case(ctx, uplift=truth["order_uplift"] - 1,
                      survival=truth["survival_by_tenure"]).value


__all__ = ["DEFAULTS", "EXERCISES", "HORIZON", "ROBOTS", "SHORT_HORIZON", "fee_rise_month",
           "recall_cohort", "truth_value"]
