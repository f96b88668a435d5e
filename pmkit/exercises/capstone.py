"""Exercises for lesson 17_capstone: one decision on a new customer programme, end to end.

The programme: *Basketly Plus On Time*, a membership that makes delivery free and
dependable. Each step's expected answer is computed here with the same pmkit
functions the lesson teaches, on the lesson's seed.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pmkit.exercises.engine import Context, Exercise, Verdict, choice, decision, items, number
from pmkit.exercises.evidence import Evidence, Fact, launch_evidence

PILOT = "free_shipping_banner"  # the programme's offer, piloted as an A/B test
ADD_ON = "one_click_upsell"  # the add-on sales wants bundled into the launch
DECISIONS = ("ship", "iterate", "don't ship")
MONTHS = 36


# ------------------------------------------------------------ computations --


def pain_points(ctx: Context) -> Any:
    from pmkit import customer

    def compute() -> Any:
        reviews = ctx.load("reviews")
        return customer.pain_points(reviews["text"], ratings=reviews["stars"])

    return ctx.cached("pain_points", compute)


def top_pain_point(ctx: Context) -> str:
    return str(pain_points(ctx).to_frame()["theme"].iloc[0])


def top_theme_share_percent(ctx: Context) -> float:
    """Share of reviews mentioning the top theme, in percent (what the PR/FAQ should cite)."""
    return 100 * float(pain_points(ctx).to_frame()["frequency"].iloc[0])


def guardrails(ctx: Context) -> list[str]:
    return list(ctx.truth("experiments")[PILOT]["guardrails"])


def pilot_baseline(ctx: Context) -> float:
    """Conversion in the pilot's control arm: the baseline for sizing the next test."""
    table = ctx.load("experiments")
    pilot = table[(table["experiment"] == PILOT) & (table["variant"] == "control")]
    return float(pilot["converted"].mean())


def users_per_arm(ctx: Context) -> float:
    from pmkit import experiment

    size = experiment.sample_size(pilot_baseline(ctx), ctx.params.get("relative_mde", 0.10), relative=True)
    return float(size.per_arm)


def _sized_on(ctx: Context, arm: str) -> float:
    """Users per arm sized on the wrong baseline: both arms pooled, or the treatment arm."""
    from pmkit import experiment

    table = ctx.load("experiments")
    pilot = table[table["experiment"] == PILOT]
    if arm != "both":
        pilot = pilot[pilot["variant"] == arm]
    size = experiment.sample_size(float(pilot["converted"].mean()),
                                  ctx.params.get("relative_mde", 0.10), relative=True)
    return float(size.per_arm)


def report(ctx: Context, name: str) -> Any:
    from pmkit import experiment

    def compute() -> Any:
        truth = ctx.truth("experiments")[name]
        return experiment.analyze(
            ctx.load("experiments"), truth["primary"], truth["guardrails"], experiment=name
        )

    return ctx.cached(("report", name), compute)


def membership_inputs(ctx: Context) -> dict[str, Any]:
    """The membership model's inputs, estimated from the cohort table."""

    def compute() -> dict[str, Any]:
        table = ctx.load("membership")
        latest = table[table["cohort"] == table["cohort"].max()]
        pooled = table.groupby("tenure_month")[["churned", "members"]].sum()
        churn = (pooled["churned"] / pooled["members"]).to_numpy()[:MONTHS]
        margin_rate = ctx.params.get("margin_rate", 0.25)
        annual = ctx.params.get("annual_discount_rate", 0.10)
        return {
            "fee": float(latest["fee"].iloc[0]),
            "orders": float(table["baseline_orders"].mean()),
            "uplift": float((table["orders_per_member"] / table["baseline_orders"]).mean() - 1),
            "margin": float(margin_rate * table["avg_order_value"].mean()),
            "shipping_cost": float(table["shipping_cost"].mean()),
            "churn": churn,
            "discount_rate": float((1 + annual) ** (1 / 12) - 1),
            "signup_cost": float(ctx.params.get("acquisition_cost", 40.0)),
            "months": MONTHS,
        }

    return ctx.cached("membership_inputs", compute)


def membership(ctx: Context) -> Any:
    from pmkit import longterm

    return ctx.cached("membership", lambda: longterm.membership_case(**membership_inputs(ctx)))


def ltv_change(ctx: Context) -> float:
    return float(membership(ctx).ltv_change)


def pilot_facts(ctx: Context) -> Evidence:
    """The pilot's evidence, with the bar the team set for the lift (relative_mde)."""
    return launch_evidence(report(ctx, PILOT), bar=float(ctx.params.get("relative_mde", 0.10)),
                           also=(pilot_baseline(ctx),))


def upsell_facts(ctx: Context) -> Evidence:
    return launch_evidence(report(ctx, ADD_ON))


def memo_facts(ctx: Context) -> Evidence:
    """The memo's evidence: the customer problem, the pilot, the member's long-term value."""
    case = membership(ctx)
    # Launch when the pilot says ship and a member is worth more than a regular customer.
    call = "launch" if pilot_facts(ctx).call == "ship" and ltv_change(ctx) > 0 else "do not launch"
    frame = pain_points(ctx).to_frame()
    # The pilot's own evidence (its primary metric, guardrails and bar) is part of the memo.
    primary, *others = pilot_facts(ctx).facts
    others = [replace(f, require="") if f.name == "bar" else f for f in others]
    return Evidence(call, (
        Fact("top complaint", top_theme_share_percent(ctx) / 100, change=False, require="number",
             synonyms=(top_pain_point(ctx), "reviews", "complaint"),
             also=(float(frame["severity"].iloc[0]),)),
        replace(primary, require="number"), *others,
        Fact("member value", ltv_change(ctx), "usd", change=False, require="number",
             synonyms=("discounted value", "ltv", "lifetime value", "member adds", "value"),
             also=(float(membership_inputs(ctx)["signup_cost"]),)),
        Fact("payback", float(case.payback_months), "months", change=False,
             synonyms=("pays back", "payback", "repays")),
    ), rule="launch when the pilot clears its bar with no harmed guardrail and a member adds value "
            "over the horizon", given=(float(MONTHS), 95.0))


def memo_call(ctx: Context) -> str:
    return memo_facts(ctx).call


# ----------------------------------------------------------------- graders --


def _grade_prfaq(answer: Any, expected: float, ctx: Context) -> Verdict:
    from pmkit.customer import PRFAQ

    if not isinstance(answer, PRFAQ):
        return Verdict(False, "Build the document with pmkit.customer.prfaq(...) and pass the result.")
    if len(answer.faq) < 3:
        return Verdict(
            False,
            f"Your FAQ has {len(answer.faq)} question(s); a reviewer will ask at least "
            "three: what it costs, what happens when it fails, who it is not for.",
        )
    if not answer.quotes:
        return Verdict(False, "Add a customer quote: whose life gets better, in their words?")
    cited = answer.cited_numbers()
    if not any(abs(n - expected) <= 0.5 for n in cited):
        return Verdict(
            False,
            f"Your evidence cites {', '.join(f'{n:g}' for n in cited) or 'no numbers'}; "
            "back the problem with the share of reviews that mention it, in percent, "
            "rounded to one decimal.",
        )
    return Verdict(True, "A PR/FAQ a leadership team can read in five minutes, backed by the data.")


def _upsell_question(ctx: Context) -> str:
    harmed = report(ctx, ADD_ON).harmed_guardrails
    return (
        f"Revenue per user went up, but which guardrail moved? ({', '.join(harmed) or 'look again'}). "
        "Would you ship a change that sends more parcels back?"
    )


EXERCISES = [
    Exercise(
        name="top_pain_point",
        question="The theme that ranks first by frequency × severity in the reviews (its name).",
        expected=top_pain_point,
        grade=choice(
            [
                "late delivery",
                "damaged packaging",
                "sizing",
                "price",
                "support",
                "battery life",
                "missing parts",
            ],
            mistakes={
                "sizing": (
                    "Sizing is mentioned often, but how angry are those reviews? "
                    "Rank by frequency × severity."
                ),
                "support": (
                    "Support reviews are the angriest, but how many are there? Rank by frequency × severity."
                ),
            },
        ),
        hints=(
            "pmkit.customer.pain_points(texts, ratings=stars) ranks the themes.",
            "Its to_frame() is sorted by score; the first row is the top theme.",
            'top_pain_point = pain.to_frame()["theme"].iloc[0]',
        ),
        minutes=5,
    ),
    Exercise(
        name="press_release",
        question=(
            "A PR/FAQ built with pmkit.customer.prfaq, citing the top theme's share of reviews in percent."
        ),
        expected=top_theme_share_percent,
        grade=_grade_prfaq,
        hints=(
            "Work backwards: the customer, their problem, the one benefit that matters, how you know, "
            "and what the experience looks like.",
            "The evidence sentence should contain the share of reviews mentioning the top theme, e.g. 9.1%.",
            "See the worked PR/FAQ in lesson 04; cite f'{share:.1f}%' in `evidence` and give three FAQs.",
        ),
        minutes=15,
    ),
    Exercise(
        name="guardrails",
        question="The guardrail columns to watch while the programme's pilot runs (a list of column names).",
        expected=guardrails,
        grade=items(),
        hints=(
            "Guardrails are what must not get worse while the primary metric improves.",
            "Look at the columns of the experiments table that measure harm: speed, annoyance, returns.",
            'guardrails = ["latency_ms", "unsubscribed", "returned"]',
        ),
        minutes=3,
    ),
    Exercise(
        name="users_per_arm",
        question=(
            "Users per arm to detect a relative lift of relative_mde on the pilot's control conversion "
            "(80% power, 5% alpha)."
        ),
        expected=users_per_arm,
        grade=number(
            rel_tol=1e-6,
            unit=" users",
            mistakes=[
                (
                    lambda ctx: 2 * users_per_arm(ctx),
                    "That is both arms together; the question asks per arm.",
                ),
                (
                    lambda ctx: _sized_on(ctx, "both"),
                    "That baseline mixes both arms, so the treatment leaks into it: size on the "
                    "control arm's conversion.",
                ),
                (
                    lambda ctx: _sized_on(ctx, "treatment"),
                    "That is sized on the treatment arm; the baseline is the control arm's conversion.",
                ),
            ],
        ),
        hints=(
            "The baseline is the conversion rate in the pilot's control arm.",
            "pmkit.experiment.sample_size(baseline, 0.10, relative=True) sizes it.",
            "users_per_arm = experiment.sample_size(baseline, 0.10, relative=True).per_arm",
        ),
        minutes=4,
    ),
    Exercise(
        name="pilot_call",
        question="'ship', 'iterate' or \"don't ship\" for the pilot, a colon, and your evidence.",
        expected=lambda ctx: pilot_facts(ctx).call,
        grade=decision(
            DECISIONS, pilot_facts,
            questions={
                "don't ship": (
                    "The sample ratio passed, conversion rose and no guardrail moved. What evidence says no?"
                ),
                "iterate": "What would you change? Conversion rose and no guardrail moved.",
            },
        ),
        hints=(
            "Run pmkit.experiment.analyze on the pilot's rows with its primary metric and guardrails.",
            "Check the sample-ratio gate first, then the primary metric, then every guardrail.",
            "Write the call, a colon, then conversion's lift with its interval against the bar, and "
            "each guardrail's direction (or that it is not shown), with your numbers.",
        ),
        minutes=5,
    ),
    Exercise(
        name="upsell_call",
        question=(
            "The add-on sales wants bundled in: 'ship', 'iterate' or \"don't ship\", a colon, your evidence."
        ),
        expected=lambda ctx: upsell_facts(ctx).call,
        grade=decision(
            DECISIONS, upsell_facts,
            questions={
                "ship": _upsell_question,
                "don't ship": "The revenue gain is real. Is there a version without the harm worth testing?",
            },
        ),
        hints=(
            "The primary metric is only half the story; read every guardrail.",
            "Which guardrail got worse, and by how much?",
            "Write the call, a colon, then revenue's lift with its interval and the harmed "
            "guardrail with its number.",
        ),
        minutes=5,
    ),
    Exercise(
        name="ltv_change",
        question="Value one new member adds over 36 months versus staying a regular customer (discounted).",
        expected=ltv_change,
        grade=number(rel_tol=0.01),
        hints=(
            "Estimate fee, orders, uplift, margin, shipping cost and churn by tenure "
            "from the membership table.",
            "Churn by tenure: pool every cohort, churned / members per tenure month.",
            "longterm.membership_case(fee=..., orders=..., uplift=..., margin=..., shipping_cost=..., "
            "churn=churn[:36], discount_rate=monthly_rate, months=36).ltv_change",
        ),
        minutes=10,
    ),
    Exercise(
        name="memo",
        question="Your decision memo: 'launch', 'pilot further' or 'do not launch', a colon, then the "
        "argument with the evidence (customer problem, pilot result, add-on, long-term value).",
        expected=memo_call,
        grade=decision(
            ["launch", "pilot further", "do not launch"], memo_facts,
            questions={
                "do not launch": lambda ctx: (
                    f"The pilot says {report(ctx, PILOT).recommendation} and a member adds "
                    f"{ltv_change(ctx):,.0f} over three years. Which number argues against launching?"
                ),
                "pilot further": "What would another pilot teach you that this one did not?",
                "launch": "Each member loses money over three years here. Why launch?",
            },
        ),
        hints=(
            "A memo states the decision first, then the evidence in the order a reader needs it.",
            "Cover: the customer problem (with its number), the pilot, the add-on trap, the long-term value "
            "and payback, and what you will watch after launch.",
            "Each claim with its number: the share of reviews, the pilot's lift and interval, the "
            "add-on's harmed guardrail, the member's discounted value and payback.",
        ),
        minutes=15,
    ),
]

__all__ = ["EXERCISES", "membership_inputs", "report", "top_theme_share_percent"]
