"""Exercises for lesson 17_capstone: should Plus members get an on-time delivery guarantee?

A transfer task. Mei (Basketly Plus) and Dana (delivery) propose a guarantee: a credit for
every month in which a member's order arrives late. The learner traces lateness to its root
(orders and reviews by region), prices the guarantee from membership and order data, reads
the pilot of the guarantee itself (``on_time_guarantee``) against the lift that would pay for
the credits, and writes the memo: launch, fix first or pilot further. Every expected answer
is computed here, for the learner's seed, with the calls the lesson teaches.
"""

from __future__ import annotations

import math
from typing import Any

from pmkit.exercises.engine import Context, Exercise, choice, decision, ladder, number
from pmkit.exercises.evidence import BAR_WORDS, Evidence, Fact, comparison_fact

PILOT = "on_time_guarantee"
GUARDRAILS = ("unsubscribed", "latency_ms")
MEMO_CALLS = ("launch", "fix first", "pilot further")
MONTHS = 36
WEST = "West"


def _param(ctx: Context, name: str, default: float) -> float:
    return float(ctx.params.get(name, default))


def credit(ctx: Context) -> float:
    """The credit a member gets for a month with a late order (USD; by default the month's fee)."""
    return _param(ctx, "credit", 12.99)


# ------------------------------------------------------------ warm-up and quiz --


def button_interval_word(ctx: Context) -> str:
    """What lesson 09's button-colour test can say about conversion, from its interval."""
    from pmkit import experiment

    def compute() -> str:
        ci = experiment.analyze(ctx.load("experiments"), "converted",
                                experiment="checkout_button_colour").primary.ci
        return "rose" if ci[0] > 0 else "fell" if ci[1] < 0 else "not shown either way"

    return ctx.cached("button_word", compute)


def first_month_churn(ctx: Context) -> float:
    """Pooled share of members who cancel in their joining month (tenure month 0)."""
    table = ctx.load("membership")
    first = table[table["tenure_month"] == 0]
    return float(first["churned"].sum() / first["members"].sum())


def _first_month_churn_unweighted(ctx: Context) -> float:
    table = ctx.load("membership")
    first = table[table["tenure_month"] == 0]
    return float((first["churned"] / first["members"]).mean())


def _second_month_churn(ctx: Context) -> float:
    table = ctx.load("membership")
    second = table[table["tenure_month"] == 1]
    return float(second["churned"].sum() / second["members"].sum())


# ------------------------------------------------------------------ lateness --


def orders_by_region(ctx: Context) -> Any:
    """Orders with the customer's region and a late flag (delivered after the promise)."""

    def compute() -> Any:
        orders = ctx.load("orders").merge(ctx.load("customers")[["customer_id", "region"]],
                                          on="customer_id")
        return orders.assign(late=orders["actual_days"] > orders["promised_days"])

    return ctx.cached("orders_by_region", compute)


def west_late_ratio(ctx: Context) -> float:
    """How many times as often a West order is late as an order from any other region."""
    orders = orders_by_region(ctx)
    west = orders["region"] == WEST
    return float(orders.loc[west, "late"].mean() / orders.loc[~west, "late"].mean())


def _west_over_all(ctx: Context) -> float:
    orders = orders_by_region(ctx)
    return float(orders.loc[orders["region"] == WEST, "late"].mean() / orders["late"].mean())


def _west_minus_rest(ctx: Context) -> float:
    orders = orders_by_region(ctx)
    west = orders["region"] == WEST
    return float(orders.loc[west, "late"].mean() - orders.loc[~west, "late"].mean())


def _west_count_ratio(ctx: Context) -> float:
    orders = orders_by_region(ctx)
    west = orders["region"] == WEST
    return float(orders.loc[west, "late"].sum() / orders.loc[~west, "late"].sum())


def west_voice_share(ctx: Context) -> float:
    """Share of reviews written by West customers that mention late delivery."""
    from pmkit import customer

    reviews = ctx.load("reviews").merge(ctx.load("customers")[["customer_id", "region"]],
                                        on="customer_id")
    west = reviews[reviews["region"] == WEST]
    return float(customer.theme_matrix(west["text"])["late delivery"].mean())


def _voice_share_everyone(ctx: Context) -> float:
    from pmkit import customer

    return float(customer.theme_matrix(ctx.load("reviews")["text"])["late delivery"].mean())


# ------------------------------------------------------------ the guarantee's cost --


def member_orders_per_month(ctx: Context) -> float:
    """Orders per member-month: every member order over every member-month of the cohorts."""
    table = ctx.load("membership")
    return float(table["orders"].sum() / table["members"].sum())


def member_late_rate(ctx: Context, *, west_fixed: bool = False) -> float:
    """Share of members' orders that arrive late (with the West as punctual as the rest)."""
    orders = orders_by_region(ctx)
    members = orders[orders["is_member"]]
    if west_fixed:  # if the West matched the other regions, every order would be late at their rate
        members = members[members["region"] != WEST]
    return float(members["late"].mean())


def late_month_share(ctx: Context, *, west_fixed: bool = False) -> float:
    """Share of member-months with at least one late order: 1 - exp(-orders x late rate).

    A member's orders in a month are a Poisson count, so late orders are too, with mean
    orders per month x late rate.
    """
    return float(1 - math.exp(-member_orders_per_month(ctx) * member_late_rate(ctx, west_fixed=west_fixed)))


def _late_rate_alone(ctx: Context) -> float:
    return member_late_rate(ctx)


def _expected_late_orders(ctx: Context) -> float:
    return member_orders_per_month(ctx) * member_late_rate(ctx)


def _binomial_share(ctx: Context) -> float:
    return float(1 - (1 - member_late_rate(ctx)) ** member_orders_per_month(ctx))


def _unweighted_share(ctx: Context) -> float:
    lam = float(ctx.load("membership")["orders_per_member"].mean())
    return float(1 - math.exp(-lam * member_late_rate(ctx)))


def member_inputs(ctx: Context) -> Any:
    """The member-value model's inputs (pmkit.longterm.member_inputs) for this seed."""
    from pmkit import longterm

    return ctx.cached("member_inputs", lambda: longterm.member_inputs(ctx.load("membership")))


def contribution(ctx: Context) -> float:
    """What one extra member order earns after its free shipping: margin x order value - shipping."""
    inputs = member_inputs(ctx)
    return float(_param(ctx, "margin_rate", 0.25) * inputs.order_value - inputs.shipping_cost)


def breakeven_lift(ctx: Context, *, west_fixed: bool = False) -> float:
    """The relative lift in member orders at which the extra orders pay for the credits."""
    cost = late_month_share(ctx, west_fixed=west_fixed) * credit(ctx)
    return float(cost / (member_orders_per_month(ctx) * contribution(ctx)))


def _breakeven_no_shipping(ctx: Context) -> float:
    margin = _param(ctx, "margin_rate", 0.25) * member_inputs(ctx).order_value
    return float(late_month_share(ctx) * credit(ctx) / (member_orders_per_month(ctx) * margin))


def _breakeven_on_late_rate(ctx: Context) -> float:
    return float(member_late_rate(ctx) * credit(ctx) / (member_orders_per_month(ctx) * contribution(ctx)))


# ------------------------------------------------------------------- the pilot --


def pilot_rows(ctx: Context) -> Any:
    table = ctx.load("experiments")
    return table[table["experiment"] == PILOT]


def pilot_report(ctx: Context) -> Any:
    from pmkit import experiment

    return ctx.cached("pilot_report", lambda: experiment.analyze(
        ctx.load("experiments"), "converted", list(GUARDRAILS), experiment=PILOT, verdict=False))


def pilot_control_rate(ctx: Context) -> float:
    rows = pilot_rows(ctx)
    return float(rows.loc[rows["variant"] == "control", "converted"].mean())


def users_per_arm(ctx: Context) -> float:
    """Members per arm for a pilot that detects the break-even lift (80% power, 5% alpha)."""
    from pmkit import experiment

    return float(experiment.sample_size(pilot_control_rate(ctx), breakeven_lift(ctx), relative=True).per_arm)


def _sized_on(ctx: Context, what: str) -> float:
    """Users per arm sized on a wrong input: both arms pooled, or the West-fixed bar."""
    from pmkit import experiment

    rows = pilot_rows(ctx)
    base = float(rows["converted"].mean()) if what == "both" else pilot_control_rate(ctx)
    lift = breakeven_lift(ctx, west_fixed=True) if what == "west" else breakeven_lift(ctx)
    return float(experiment.sample_size(base, lift, relative=True).per_arm)


# ------------------------------------------------------------- long-term value --


def _member_value(ctx: Context, **changes: float) -> float:
    """A member's discounted value over 36 months (pmkit.longterm.member_value_from)."""
    from pmkit import longterm

    return float(longterm.member_value_from(
        ctx.load("membership"), margin_rate=_param(ctx, "margin_rate", 0.25),
        annual_discount_rate=_param(ctx, "annual_discount_rate", 0.10), months=MONTHS,
        **changes).value)


def _with_guarantee(ctx: Context, *, credits: bool = True) -> dict[str, float]:
    """The member-value inputs the guarantee changes: more orders, and credits off the fee.

    The pilot's relative lift in members ordering is a floor on the lift in orders (a member
    who orders again orders at least once), so the case is a conservative one.
    """
    inputs = member_inputs(ctx)
    lift = float(pilot_report(ctx).primary.relative_lift)
    fee = inputs.fee - (late_month_share(ctx) * credit(ctx) if credits else 0.0)
    return {"fee": fee, "uplift": (1 + inputs.uplift) * (1 + lift) - 1}


def guarantee_value(ctx: Context) -> float:
    """Net value of the guarantee per member over 36 months, at the pilot's lift (USD)."""
    return _member_value(ctx, **_with_guarantee(ctx)) - _member_value(ctx)


def _value_without_credits(ctx: Context) -> float:
    return _member_value(ctx, **_with_guarantee(ctx, credits=False)) - _member_value(ctx)


def _value_not_a_difference(ctx: Context) -> float:
    return _member_value(ctx, **_with_guarantee(ctx))


# ------------------------------------------------------------------ the memo --


def memo_facts(ctx: Context) -> Evidence:
    """The memo's evidence and the call a senior PM makes from it.

    The bar for the pilot is the break-even lift: below it the guarantee pays out more in
    credits than the orders it brings back earn. Pilot further when the pilot cannot be
    trusted or cannot tell (an interval that includes zero, a harmed guardrail): the next
    pilot is sized for the bar. Fix first when the lift is real but below the bar: the
    credits pay for lateness that has a root, the West, and fixing it lowers the bar.
    Launch when the lift clears the bar.
    """
    report = pilot_report(ctx)
    primary = report.primary
    worse = [g.metric for g in report.guardrails if g.ci[0] > 0]  # every guardrail is better down
    trusted = report.srm.passed and not worse
    bar = breakeven_lift(ctx)
    # The pilot cannot tell when its interval holds both zero and the break-even lift.
    unclear = primary.ci[0] <= 0 and primary.relative_ci[1] >= bar
    if unclear or not trusted:
        call = "pilot further"
        rule = ("the pilot cannot tell (its interval holds both zero and the break-even lift, or a "
                "guardrail or the split failed): run a pilot sized for the break-even lift")
    elif primary.relative_lift < bar:
        call = "fix first"
        rule = ("the lift is below the break-even lift: the credits would cost more than the orders "
                "they bring back earn while the West stays late; fix the West, then compensate")
    else:
        call = "launch"
        rule = "the lift is real and clears the break-even lift: the credits pay for themselves"
    facts = [comparison_fact(primary, require="interval")]
    for g in report.guardrails:
        facts.append(comparison_fact(g, group="guardrail", better="down",
                                     require="number" if g.metric in worse else "direction"
                                     if g.ci[1] >= 0 else ""))
    facts += [
        Fact("break-even lift", bar, change=False, require="number",
             synonyms=("break even", "breakeven", "break-even", *BAR_WORDS),
             also=(breakeven_lift(ctx, west_fixed=True),)),
        Fact("late member-months", late_month_share(ctx), change=False,
             require="number" if call != "pilot further" else "",
             synonyms=("member-months", "member months", "late months", "months with a late order")),
        Fact("West", west_late_ratio(ctx), "multiple", change=False,
             require="number" if call == "fix first" else "",
             synonyms=("west region", "the west", "west's"),
             also=(float(orders_by_region(ctx).query("region == @WEST")["late"].mean()),)),
        Fact("net value", guarantee_value(ctx), "usd", change=False,
             require="number" if call != "pilot further" else "",
             synonyms=("value per member", "per member", "member value")),
        Fact("reviews", west_voice_share(ctx), change=False,
             synonyms=("review", "their reviews", "in their own words")),
        Fact("users per arm", users_per_arm(ctx), "count", change=False,
             require="number" if call == "pilot further" else "",
             synonyms=("members per arm", "per arm", "members in each arm")),
    ]
    return Evidence(call, tuple(facts), rule, given=(95.0, 0.95, float(MONTHS), credit(ctx)))


def memo_call(ctx: Context) -> str:
    return memo_facts(ctx).call


def _memo_question(call: str) -> Any:
    def ask(ctx: Context) -> str:
        right = memo_call(ctx)
        if right == "pilot further":
            return ("Does the pilot's interval rule out zero? A test that cannot tell is a reason "
                    "to test again, sized for the break-even lift, not to decide.")
        if right == "fix first":
            return ("Is the pilot's lift above the break-even lift, the one that pays for the "
                    "credits? Where does the lateness the credits would pay for come from?")
        return ("The lift is real and above the break-even lift: what would waiting buy? "
                f"Why {call!r}?")

    return ask


# ------------------------------------------------------------------ exercises --



def _tool(name: str, recalls: str, question: str, options: list[str], idea: str, strategy: str,
          mistakes: dict[str, str]) -> Exercise:
    """One 'which tool answers this?' question: the first option is the answer."""
    module = options[0].split(".")[0]
    return Exercise(
        name=name, question=f"{question} One of: {', '.join(options)}.",
        expected=lambda ctx: options[0], grade=choice(options, mistakes=mistakes),
        hints=ladder(idea, strategy, f'{name} = "{module}.___"', f'{name} = "{options[0]}"'),
        minutes=1, level="understand", recalls=recalls)


QUIZ = [
    ("tool_voice", "02", "Which complaint costs Basketly the most stars, counting how often it comes up?",
     ["customer.pain_points", "customer.nps", "customer.kano_survey", "experiment.sample_size"],
     "The answer ranks themes in review text by frequency times star cost.",
     "Lesson 02 ranked review themes; which call did it use?",
     {"customer.nps": "NPS says how many would recommend Basketly, not which complaint costs stars.",
      "customer.kano_survey": "Kano sorts candidate features by how their absence feels; it does not "
                              "rank complaints in reviews."}),
    ("tool_cohorts", "06", "Do members who joined in 2024 stay longer than those who joined in 2023?",
     ["metrics.cohort_table", "metrics.session_funnel", "customer.rice_ranking", "agile.forecast_when"],
     "Staying is compared between groups that joined at the same time, followed month by month.",
     "Lesson 06 built a triangle of joining months against months since joining.",
     {"metrics.session_funnel": "A funnel follows one visit step by step; staying is about groups who "
                                "joined together, followed month by month."}),
    ("tool_sizing", "09", "How many members per arm does the next pilot need to see a 5% lift?",
     ["experiment.sample_size", "experiment.analyze", "experiment.srm_check", "longterm.npv"],
     "Before a test runs, you size it for the smallest effect worth seeing.",
     "Lesson 09 sized tests from a baseline and a minimum detectable effect.",
     {"experiment.analyze": "analyze reads a test that has run; this one has not started yet.",
      "experiment.srm_check": "The sample-ratio check audits a split after the fact; it does not say "
                              "how many users you need."}),
    ("tool_forecast", "13", "When will Amara's team finish the 40 items of the West fix, with 85% "
     "confidence, from its weekly throughput?",
     ["agile.forecast_when", "agile.littles_law", "agile.wsjf", "metrics.funnel"],
     "A date with a confidence level comes from replaying the team's real weeks many times.",
     "Lesson 13 forecast 'when will these items be done?' from throughput history.",
     {"agile.littles_law": "Little's law links averages (work in progress, throughput, cycle time); a "
                           "date with a confidence level needs the Monte Carlo forecast.",
      "agile.wsjf": "WSJF orders work by cost of delay per week; it does not date it."}),
    ("tool_value", "14", "What is a new member worth over three years, in today's money?",
     ["longterm.lifetime_value", "longterm.irr", "experiment.cuped", "customer.nps"],
     "A member's worth adds up each month's margin while they stay, discounted to today.",
     "Lesson 14 turned margin, retention and a discount rate into one number.",
     {"longterm.irr": "IRR is the rate at which a cash flow breaks even, not what a member is worth."}),
]


EXERCISES = [
    Exercise(
        name="recall_interval",
        question="Lesson 09's checkout_button_colour test: what does conversion's 95% interval say? "
                 "'rose', 'fell', 'not shown either way' or 'no effect'.",
        expected=button_interval_word,
        grade=choice(["rose", "fell", "not shown either way", "no effect"], mistakes={
            "no effect": "An interval never shows 'no effect': it is clear of zero (rose or fell) "
                         "or it straddles zero, and then the effect is not shown either way.",
        }),
        hints=ladder(
            "An interval clear of zero says which way the metric moved; one that straddles zero "
            "says the test cannot tell.",
            "Run `experiment.analyze(experiments, \"converted\", experiment=\"checkout_button_colour\")` "
            "and read `.primary.ci`: are both ends on the same side of zero?",
            'low, high = experiment.analyze(experiments, "converted", experiment=___).primary.ci\n'
            'recall_interval = "rose" if low > ___ else "fell" if high < ___ else "not shown either way"',
            'low, high = experiment.analyze(experiments, "converted", '
            'experiment="checkout_button_colour").primary.ci\n'
            'recall_interval = "rose" if low > 0 else "fell" if high < 0 else "not shown either way"',
        ),
        minutes=2, level="understand", recalls="09",
    ),
    Exercise(
        name="recall_first_check",
        question="Lesson 10: which check do you read first on any test report, before any metric?",
        expected=lambda ctx: "sample-ratio check",
        grade=choice(["sample-ratio check", "primary metric", "guardrails", "novelty check"], mistakes={
            "primary metric": "If the traffic split is broken, the primary metric compares different "
                              "people: which check tells you the split worked?",
            "guardrails": "Guardrails come after you trust the split: which check tells you it worked?",
            "novelty check": "Novelty matters once the numbers can be trusted: what tells you they can?",
        }),
        hints=ladder(
            "A metric can only be trusted if the two arms hold the people the design promised.",
            "Which check compares the users in each arm with the planned 50/50 split?",
            'recall_first_check = "___ check"',
            'recall_first_check = "sample-ratio check"',
        ),
        minutes=1, level="remember", recalls="10",
    ),
    Exercise(
        name="recall_churn",
        question="Lesson 15: pooled over every cohort, the share of members who cancel in their "
                 "joining month (tenure month 0), as a fraction.",
        expected=first_month_churn,
        grade=number(rel_tol=1e-4, mistakes=[
            (_first_month_churn_unweighted, "That averages each cohort's rate as if all cohorts "
                                            "were the same size: pool them (sum churned / sum members)."),
            (_second_month_churn, "That is tenure month 1, the second month: the joining month is 0."),
        ]),
        hints=ladder(
            "A pooled rate counts every member once: all who cancelled over all who started.",
            "Filter `cohorts` to `tenure_month == 0`, then divide the sum of `churned` by the sum of "
            "`members`.",
            'first = cohorts[cohorts["tenure_month"] == ___]\n'
            'recall_churn = first[___].sum() / first[___].sum()',
            'first = cohorts[cohorts["tenure_month"] == 0]\n'
            'recall_churn = first["churned"].sum() / first["members"].sum()',
        ),
        minutes=2, level="remember", recalls="15",
    ),
    *(_tool(name, recalls, question, options, idea, strategy, mistakes) for
      name, recalls, question, options, idea, strategy, mistakes in QUIZ),
    Exercise(
        name="west_late_ratio",
        question="How many times as often is a West order late as an order from the other four "
                 "regions together?",
        expected=west_late_ratio,
        grade=number(rel_tol=1e-3, unit="x", mistakes=[
            (_west_over_all, "That compares the West with every order, the West's own included: "
                             "compare it with the other regions only."),
            (_west_minus_rest, "That is a difference in points; the question asks how many times as often."),
            (_west_count_ratio, "That divides counts of late orders; regions differ in size, so "
                                "compare rates (late orders over all orders in each group)."),
        ]),
        hints=ladder(
            "A region is the root cause when its orders are late far more often than everyone else's, "
            "rate against rate.",
            "Flag late orders (`actual_days > promised_days`), split on `region == \"West\"`, and "
            "divide the two groups' `.mean()`.",
            'west = late_orders["region"] == ___\n'
            'west_late_ratio = late_orders.loc[west, "late"].mean() / late_orders.loc[___, "late"].mean()',
            'west = late_orders["region"] == "West"\n'
            'west_late_ratio = late_orders.loc[west, "late"].mean() / late_orders.loc[~west, "late"].mean()',
        ),
        minutes=5, level="analyse",
    ),
    Exercise(
        name="west_voice_share",
        question="Share of reviews written by West customers that mention late delivery (a fraction).",
        expected=west_voice_share,
        grade=number(rel_tol=1e-3, mistakes=[
            (_voice_share_everyone, "That is every region's reviews; keep only reviews by West customers."),
        ]),
        hints=ladder(
            "If lateness is the West's problem, its customers should say so in their own words.",
            "Join `reviews` to `customers` on `customer_id` for the region, keep the West, then "
            "average `customer.theme_matrix(texts)[\"late delivery\"]`.",
            'west_reviews = reviews_by_region[reviews_by_region["region"] == ___]\n'
            'west_voice_share = customer.theme_matrix(west_reviews[___])["late delivery"].mean()',
            'west_reviews = reviews_by_region[reviews_by_region["region"] == "West"]\n'
            'west_voice_share = customer.theme_matrix(west_reviews["text"])["late delivery"].mean()',
        ),
        minutes=4, level="apply",
    ),
    Exercise(
        name="late_month_share",
        question="Share of member-months that would carry at least one late order, and so a credit.",
        expected=late_month_share,
        grade=number(rel_tol=1e-3, mistakes=[
            (_late_rate_alone, "That is the share of orders that are late; a member-month holds "
                               "several orders, and one late one is enough for a credit."),
            (_expected_late_orders, "That is the expected number of late orders per member-month; "
                                    "the credit is paid once a month: use 1 - exp(-that)."),
            (_binomial_share, "That raises (1 - late rate) to a fractional number of orders; with a "
                              "Poisson count of orders the chance of no late order is exp(-orders x rate)."),
            (_unweighted_share, "That averages orders_per_member over cohort-months as if each held "
                                "as many members: use orders_pm, every order over every member-month."),
        ]),
        hints=ladder(
            "A credit is paid in any month with at least one late order: one minus the chance that "
            "none of the month's orders is late.",
            "Orders per member-month: `orders_pm` from the worked example. Late rate: the mean of "
            "`late` over the orders where `is_member` is true. Then `1 - np.exp(-orders_pm * rate)`.",
            'late_rate = late_orders.loc[late_orders["is_member"], ___].mean()\n'
            'late_month_share = 1 - np.exp(-___ * late_rate)',
            'late_rate = late_orders.loc[late_orders["is_member"], "late"].mean()\n'
            'late_month_share = 1 - np.exp(-orders_pm * late_rate)',
        ),
        minutes=6, level="apply",
    ),
    Exercise(
        name="breakeven_lift",
        question="The relative lift in member orders at which the extra orders pay for the credits "
                 "(a fraction).",
        expected=breakeven_lift,
        grade=number(rel_tol=1e-3, mistakes=[
            (_breakeven_no_shipping, "Each extra member order also costs its free shipping: use the "
                                     "margin minus the shipping cost per order."),
            (_breakeven_on_late_rate, "The credit is paid per late member-month, not per late order "
                                      "share: use late_month_share."),
        ]),
        hints=ladder(
            "The credits cost the share of late months times the credit, every month; a lift brings "
            "back orders that each earn their margin after shipping. Break-even is where the two meet.",
            "Monthly cost per member: `late_month_share * credit`. Monthly gain per 100% lift: "
            "`orders_pm * per_order`, with `per_order` from the worked example. Divide.",
            'breakeven_lift = late_month_share * ___ / (orders_pm * ___)',
            'breakeven_lift = late_month_share * credit / (orders_pm * per_order)',
        ),
        minutes=6, level="analyse",
    ),
    Exercise(
        name="breakeven_west_fixed",
        question="The same break-even lift if the West delivered as punctually as the other regions.",
        expected=lambda ctx: breakeven_lift(ctx, west_fixed=True),
        grade=number(rel_tol=1e-3, mistakes=[
            (breakeven_lift, "That is today's break-even lift: recompute the late rate of members' "
                             "orders without the West's excess lateness."),
        ]),
        hints=ladder(
            "If the West were as punctual as the others, every member order would be late at the "
            "other regions' rate: fewer late months, cheaper credits, a lower bar.",
            "Recompute the members' late rate on orders outside the West, then the late-month share "
            "and the break-even lift as before.",
            'elsewhere = late_orders["is_member"] & (late_orders["region"] != ___)\n'
            'rate_fixed = late_orders.loc[elsewhere, "late"].mean()\n'
            'share_fixed = 1 - np.exp(-orders_pm * ___)\n'
            'breakeven_west_fixed = share_fixed * credit / (orders_pm * per_order)',
            'elsewhere = late_orders["is_member"] & (late_orders["region"] != "West")\n'
            'rate_fixed = late_orders.loc[elsewhere, "late"].mean()\n'
            'share_fixed = 1 - np.exp(-orders_pm * rate_fixed)\n'
            'breakeven_west_fixed = share_fixed * credit / (orders_pm * per_order)',
        ),
        minutes=4, level="analyse",
    ),
    Exercise(
        name="guarantee_value",
        question="Net value of the guarantee per member over 36 months at the pilot's lift, "
                 "discounted (USD; negative when it loses money).",
        expected=guarantee_value,
        grade=number(rel_tol=1e-3, unit=" USD", mistakes=[
            (_value_without_credits, "That counts the extra orders but not the credits: take "
                                     "late_month_share x credit off the fee as well."),
            (_value_not_a_difference, "That is a member's whole value with the guarantee; the question "
                                      "asks what the guarantee adds: subtract today's value."),
        ]),
        hints=ladder(
            "The guarantee changes two of a member's inputs: members order more (the pilot's lift) and "
            "Basketly keeps less of the fee (the expected credit each month). Its value is the "
            "member's value with those changes minus the member's value today.",
            "Take `lift` from the pilot's `primary.relative_lift`; the new uplift is "
            "`(1 + inputs.uplift) * (1 + lift) - 1`, the new fee "
            "`inputs.fee - late_month_share * credit`; "
            "pass both to `longterm.member_value_from` and subtract `today.value`.",
            'lift = pilot.primary.relative_lift\n'
            'changed = dict(fee=inputs.fee - late_month_share * ___,\n'
            '               uplift=(1 + inputs.uplift) * (1 + ___) - 1)\n'
            'with_guarantee = longterm.member_value_from(\n'
            '    cohorts, margin_rate=margin_rate, annual_discount_rate=annual_discount_rate, **changed)\n'
            'guarantee_value = with_guarantee.value - ___.value',
            'lift = pilot.primary.relative_lift\n'
            'changed = dict(fee=inputs.fee - late_month_share * credit,\n'
            '               uplift=(1 + inputs.uplift) * (1 + lift) - 1)\n'
            'with_guarantee = longterm.member_value_from(\n'
            '    cohorts, margin_rate=margin_rate, annual_discount_rate=annual_discount_rate, **changed)\n'
            'guarantee_value = with_guarantee.value - today.value',
        ),
        minutes=6, level="analyse",
    ),
    Exercise(
        name="users_per_arm",
        question="Members per arm for a pilot that detects the break-even lift on the pilot's control "
                 "rate (80% power, 5% significance).",
        expected=users_per_arm,
        grade=number(rel_tol=1e-6, unit=" users", mistakes=[
            (lambda ctx: 2 * users_per_arm(ctx), "That is both arms together; the question asks per arm."),
            (lambda ctx: _sized_on(ctx, "both"), "That baseline mixes both arms, so the treatment leaks "
                                                 "into it: size on the control arm's rate."),
            (lambda ctx: _sized_on(ctx, "west"), "That is sized for the West-fixed bar; today's "
                                                 "break-even lift is the one to detect."),
        ]),
        hints=ladder(
            "The smallest lift worth detecting is the one that pays for the credits: size the next "
            "pilot so it can see that lift.",
            "Baseline: the pilot's control arm `converted` mean. Then "
            "`experiment.sample_size(baseline, breakeven_lift, relative=True).per_arm`.",
            'control = pilot_table.loc[pilot_table["variant"] == ___, "converted"].mean()\n'
            'users_per_arm = experiment.sample_size(control, ___, relative=True).per_arm',
            'control = pilot_table.loc[pilot_table["variant"] == "control", "converted"].mean()\n'
            'users_per_arm = experiment.sample_size(control, breakeven_lift, relative=True).per_arm',
        ),
        minutes=4, level="apply",
    ),
    Exercise(
        name="memo",
        question="Your memo to Jonas: 'launch', 'fix first' or 'pilot further', a colon, then the "
                 "argument with its numbers.",
        expected=memo_call,
        grade=decision(MEMO_CALLS, memo_facts, questions={c: _memo_question(c) for c in MEMO_CALLS}),
        hints=ladder(
            "A PM weighs three things: is the pilot's lift real (its interval), is it big enough to pay "
            "for the credits (the break-even lift), and is the lateness being paid for fixable at its "
            "root (the West).",
            "Look up the pilot's `primary.relative_lift` and `primary.ci`, the guardrails, "
            "`breakeven_lift`, `breakeven_west_fixed`, `late_month_share`, `west_late_ratio`, "
            "`guarantee_value` and `users_per_arm`. Interval includes zero: pilot further. Lift below "
            "break-even: fix first. Above: launch.",
            'memo = (f"___: conversion rose {p.relative_lift:.1%} (95% CI {100 * p.ci[0]:+.2f} to '
            '{100 * p.ci[1]:+.2f} points) against a break-even lift of {___:.1%}; "\n'
            '        f"{late_month_share:.1%} of late member-months; "\n'
            '        f"the West is late {___:.1f}x as often; "\n'
            '        f"net value {guarantee_value:,.2f} USD per member; "\n'
            '        "no guardrail got significantly worse")',
            'p = pilot.primary\n'
            'unclear = p.ci[0] <= 0 and p.relative_ci[1] >= breakeven_lift\n'
            'trusted = pilot.srm.passed and all(g.ci[0] <= 0 for g in pilot.guardrails)\n'
            'call = ("pilot further" if unclear or not trusted\n'
            '        else "fix first" if p.relative_lift < breakeven_lift else "launch")\n'
            'moved = "rose" if p.ci[0] > 0 else "fell" if p.ci[1] < 0 else "moved, not shown either way,"\n'
            'memo = (f"{call}: conversion {moved} {p.relative_lift:.1%} (95% CI {100 * p.ci[0]:+.2f} to "\n'
            '        f"{100 * p.ci[1]:+.2f} points) against a break-even lift of {breakeven_lift:.1%}, "\n'
            '        f"{breakeven_west_fixed:.1%} with the West fixed; "\n'
            '        f"{late_month_share:.1%} of late member-months; "\n'
            '        f"the West is late {west_late_ratio:.2f}x as often; "\n'
            '        f"net value {guarantee_value:,.2f} USD per member; "\n'
            '        f"a pilot that can tell needs {users_per_arm:,.0f} members per arm; "\n'
            '        "no guardrail got significantly worse")',
        ),
        minutes=15, level="evaluate",
    ),
]

__all__ = ["EXERCISES", "memo_facts", "pilot_report"]
