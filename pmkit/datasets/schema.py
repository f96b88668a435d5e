"""The data dictionary: every table, every column, its type, unit, meaning and valid range.

This one list is the single source of truth for ``datasets/README.md``,
``datasets/schema.json`` and the loader's checks, so the three never drift apart.

>>> from pmkit.datasets.schema import TABLES
>>> TABLES["orders"].column("order_value").unit
'USD'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Column kinds and the pandas dtype each one loads as.
KINDS = {"int": "int64", "float": "float64", "str": "str", "bool": "bool", "date": "datetime64[s]"}


@dataclass(frozen=True)
class Column:
    """One column: name, kind (int, float, str, bool, date), unit, meaning and valid range."""

    name: str
    kind: str
    meaning: str
    unit: str = ""
    low: float | str | None = None
    high: float | str | None = None
    values: tuple[str, ...] = ()
    nullable: bool = False

    def valid_range(self) -> str:
        """The valid values in words, for the data dictionary."""
        if self.values:
            text = ", ".join(self.values)
        elif self.kind == "bool":
            text = "0 or 1 in the file; False or True when loaded"
        elif self.low is not None or self.high is not None:
            low = "" if self.low is None else f"{self.low}"
            high = "" if self.high is None else f"{self.high}"
            text = f"{low} to {high}".strip() if low and high else (f"≥ {low}" if low else f"≤ {high}")
        else:
            text = "any"
        return text + ("; empty allowed" if self.nullable else "")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "type": self.kind, "dtype": KINDS[self.kind],
                               "unit": self.unit, "meaning": self.meaning, "nullable": self.nullable}
        if self.values:
            out["values"] = list(self.values)
        if self.low is not None:
            out["min"] = self.low
        if self.high is not None:
            out["max"] = self.high
        return out


@dataclass(frozen=True)
class Table:
    """One table: its name, the generator module that makes it, what a row is, its columns."""

    name: str
    module: str
    row: str
    description: str
    columns: tuple[Column, ...] = field(default_factory=tuple)
    scales: bool = True

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "file": f"{self.name}.csv", "generator": self.module,
                "row": self.row, "description": self.description, "scales": self.scales,
                "columns": [c.to_dict() for c in self.columns]}


C = Column
REGIONS = ("North", "South", "East", "West", "Central")
SEGMENTS = ("bargain", "family", "professional", "enthusiast")
CHANNELS = ("search", "social", "email", "referral", "direct")
CATEGORIES = ("Electronics", "Home", "Fashion", "Grocery", "Toys", "Books", "Beauty", "Sports")
DEVICES = ("desktop", "mobile", "tablet")
SOURCES = ("search", "social", "email", "direct")
FUNNEL = ("visit", "search", "product_view", "add_to_cart", "checkout", "purchase")
KANO_ANSWERS = ("like", "expect", "neutral", "tolerate", "dislike")
TICKET_TOPICS = ("where is my order", "damaged item", "refund", "wrong item", "account", "payment")
EXPERIMENT_NAMES = ("free_shipping_banner", "checkout_button_colour", "recommended_for_you",
                    "homepage_video", "one_click_upsell", "personalised_feed")
START, END = "2023-01-01", "2025-12-31"

_TABLES = (
    Table("customers", "company", "one registered customer",
          "Everyone who signed up to Basketly, with how they found us and whether they joined "
          "Basketly Plus, the paid membership.", (
              C("customer_id", "int", "unique customer number", low=1),
              C("signup_date", "date", "day the account was created", low=START, high=END),
              C("segment", "str", "marketing segment", values=SEGMENTS),
              C("region", "str", "delivery region", values=REGIONS),
              C("channel", "str", "acquisition channel of the first visit", values=CHANNELS),
              C("is_member", "bool", "member of Basketly Plus at the end of the data"),
              C("member_since", "date", "day the customer first joined Basketly Plus",
                low=START, high=END, nullable=True),
              C("member_until", "date", "day the membership ended (empty: still a member or never one)",
                low=START, high=END, nullable=True),
          )),
    Table("products", "recommend", "one product in the catalogue",
          "The catalogue: each product's category, list price and the hidden taste cluster used "
          "to make co-purchases (the cluster is in the truth, not here).", (
              C("product_id", "int", "unique product number", low=1),
              C("name", "str", "product name"),
              C("category", "str", "product category", values=CATEGORIES),
              C("list_price", "float", "price before any discount", "USD", low=0.5, high=5000),
          ), scales=False),
    Table("orders", "company", "one checkout",
          "Every order, with its value and its delivery promise against the actual delivery time.", (
              C("order_id", "int", "unique order number", low=1),
              C("customer_id", "int", "who ordered (customers.customer_id)", low=1),
              C("order_date", "date", "day the order was placed", low=START, high=END),
              C("items", "int", "number of order lines", low=1, high=20),
              C("order_value", "float", "amount paid for goods after discounts", "USD", low=0),
              C("shipping_fee", "float", "delivery fee charged (0 for members and large baskets)",
                "USD", low=0, high=20),
              C("promised_days", "int", "delivery time promised at checkout", "days", low=1, high=10),
              C("actual_days", "int", "delivery time achieved", "days", low=1, high=30),
              C("is_member", "bool", "the customer was a Basketly Plus member on the order date"),
          )),
    Table("order_lines", "company", "one product line within an order",
          "What was in each order: product, price paid, quantity and discount.", (
              C("order_id", "int", "the order (orders.order_id)", low=1),
              C("line", "int", "line number within the order", low=1, high=20),
              C("product_id", "int", "the product (products.product_id)", low=1),
              C("category", "str", "product category", values=CATEGORIES),
              C("unit_price", "float", "list price of one unit", "USD", low=0.5, high=5000),
              C("quantity", "int", "units bought", "units", low=1, high=12),
              C("discount", "float", "share of the price taken off", "fraction", low=0, high=0.5),
              C("line_value", "float", "unit_price × quantity × (1 − discount)", "USD", low=0),
          )),
    Table("reviews", "customer", "one product review",
          "Star ratings with free text. The text mentions pain-point themes whose true frequency "
          "and severity are in truth('reviews').", (
              C("review_id", "int", "unique review number", low=1),
              C("order_id", "int", "the order reviewed (orders.order_id)", low=1),
              C("customer_id", "int", "reviewer (customers.customer_id)", low=1),
              C("product_id", "int", "product reviewed (products.product_id)", low=1),
              C("category", "str", "product category", values=CATEGORIES),
              C("date", "date", "day the review was posted", low=START, high="2026-03-31"),
              C("stars", "int", "star rating", "stars", low=1, high=5),
              C("text", "str", "review text written by the customer"),
          )),
    Table("nps", "customer", "one answer to the Net Promoter Score survey",
          "How likely customers are to recommend Basketly (0–10), with a comment. Scores depend on "
          "each customer's real experience (late deliveries, membership).", (
              C("response_id", "int", "unique response number", low=1),
              C("customer_id", "int", "who answered (customers.customer_id)", low=1),
              C("date", "date", "day of the answer", low=START, high="2026-03-31"),
              C("score", "int", "likelihood to recommend", "points", low=0, high=10),
              C("comment", "str", "free-text reason for the score", nullable=True),
          )),
    Table("tickets", "customer", "one customer-support ticket",
          "Support contacts: topic, how long they took to resolve and whether they were reopened.", (
              C("ticket_id", "int", "unique ticket number", low=1),
              C("customer_id", "int", "who contacted us (customers.customer_id)", low=1),
              C("order_id", "int", "the order it is about (orders.order_id)", low=1),
              C("opened", "date", "day the ticket was opened", low=START, high="2026-03-31"),
              C("topic", "str", "what the ticket is about", values=TICKET_TOPICS),
              C("hours_to_resolve", "float", "time from opening to resolution", "hours", low=0),
              C("reopened", "bool", "the customer came back because it was not really solved"),
          )),
    Table("sessions", "metrics", "one website or app visit",
          "The shopping funnel, one boolean per step. A checkout redesign launched mid-way "
          "(truth('sessions')) hides a Simpson's paradox behind a traffic-mix shift.", (
              C("session_id", "int", "unique session number", low=1),
              C("date", "date", "day of the visit", low="2025-01-01", high="2025-06-30"),
              C("device", "str", "device used", values=DEVICES),
              C("source", "str", "traffic source", values=SOURCES),
              *(C(step, "bool", f"the visitor reached the '{step}' step") for step in FUNNEL),
          )),
    Table("kano", "customer", "one respondent's answer pair for one candidate feature",
          "Kano survey: how a respondent would feel if the feature were present (functional) and "
          "absent (dysfunctional).", (
              C("respondent_id", "int", "survey respondent", low=1),
              C("feature", "str", "candidate feature"),
              C("functional", "str", "feeling if the feature is present", values=KANO_ANSWERS),
              C("dysfunctional", "str", "feeling if the feature is absent", values=KANO_ANSWERS),
          ), scales=False),
    Table("kano_2023", "customer", "one answer pair of the same Kano survey, two years earlier",
          "The 2023 wave of the Kano survey, for comparing categories over time (a delighter "
          "becomes a must-be as customers get used to it).", (
              C("respondent_id", "int", "survey respondent", low=1),
              C("feature", "str", "candidate feature"),
              C("functional", "str", "feeling if the feature is present", values=KANO_ANSWERS),
              C("dysfunctional", "str", "feeling if the feature is absent", values=KANO_ANSWERS),
          ), scales=False),
    Table("experiments", "experiment", "one user in one A/B test",
          "Six user-level A/B tests in one table. truth('experiments') says which column is each "
          "test's primary metric and guardrails, and the true effect.", (
              C("experiment", "str", "which test", values=EXPERIMENT_NAMES),
              C("user_id", "int", "user, unique within a test", low=1),
              C("variant", "str", "assigned arm", values=("control", "treatment")),
              C("day", "int", "day of the test on which the user was first observed", "day",
                low=1, high=28),
              C("pre_revenue", "float", "the user's revenue in the 56 days before the test (for CUPED)",
                "USD", low=0),
              C("converted", "int", "placed at least one order during the test", "0/1", low=0, high=1),
              C("revenue", "float", "revenue during the test", "USD", low=0),
              C("returned", "int", "returned at least one item bought during the test", "0/1",
                low=0, high=1),
              C("latency_ms", "int", "median page load time the user experienced", "ms", low=0),
              C("unsubscribed", "int", "unsubscribed from marketing e-mail during the test", "0/1",
                low=0, high=1),
              C("clicks", "int", "clicks on promoted content (recommendations, banners, video)",
                "clicks", low=0),
              C("page_views", "int", "pages viewed during the test", "pages", low=1),
          ), scales=False),
    Table("backlog", "customer", "one candidate feature",
          "The product backlog with the team's RICE estimates. The value each item would really "
          "deliver is hidden in truth('backlog').", (
              C("item_id", "int", "backlog item number", low=1),
              C("title", "str", "short name of the feature"),
              C("reach", "int", "customers affected per quarter (estimate)", "customers", low=1),
              C("impact", "float", "impact per customer on the 0.25–3 RICE scale", "score",
                low=0.25, high=3),
              C("confidence", "float", "confidence in the estimates", "fraction", low=0.5, high=1),
              C("effort", "float", "work needed", "person-months", low=0.5, high=24),
              C("requests", "int", "customers who asked for it last quarter (tickets, reviews, "
                "calls)", "customers", low=0),
          ), scales=False),
    Table("throughput", "agile", "one team-week",
          "Items each delivery team finished per week; teams of different sizes, zero weeks included.", (
              C("team", "str", "team name"),
              C("team_size", "int", "people on the team", "people", low=2, high=20),
              C("week", "date", "Monday starting the week", low="2024-01-01", high=END),
              C("items_done", "int", "work items finished that week", "items", low=0),
          ), scales=False),
    Table("work_items", "agile", "one finished work item",
          "Each item a team finished, with start and finish days (cycle time).", (
              C("team", "str", "team name"),
              C("item_id", "int", "work item number, unique across teams", low=1),
              C("started", "date", "day work started", low="2023-06-01", high=END),
              C("finished", "date", "day the item was done", low="2024-01-01", high=END),
              C("cycle_days", "int", "finished − started", "days", low=0),
          ), scales=False),
    Table("membership", "longterm", "one monthly cohort of Basketly Plus members at one tenure",
          "The membership programme, built from the customers and orders tables: members who "
          "joined in the same calendar month followed month by month (a triangle), with the fee, "
          "their orders in the order book, what the same customers would have ordered without "
          "Plus, shipping cost and churn. A cohort appears at a tenure only once all its members "
          "were watched for that whole month.", (
              C("cohort", "date", "first day of the calendar month the members joined",
                low=START, high=END),
              C("tenure_month", "int", "membership months since joining (30.44 days each; 0 = "
                "the first)", "months", low=0, high=35),
              C("members", "int", "members subscribed at the start of the month", "members",
                low=0),
              C("churned", "int", "members who cancelled during the month", "members", low=0),
              C("fee", "float", "monthly membership fee that calendar month", "USD", low=0),
              C("orders", "int", "orders these members placed as members that month (orders "
                "table)", "orders", low=0),
              C("orders_per_member", "float", "orders ÷ members", "orders", low=0),
              C("baseline_orders", "float", "orders per member the same customers would have "
                "placed without Plus: customers of the same segment and account age who never "
                "joined", "orders", low=0),
              C("avg_order_value", "float", "average value of those member orders", "USD", low=0),
              C("shipping_cost", "float", "Basketly's cost of free shipping per member order",
                "USD", low=0),
          ), scales=False),
    Table("bets", "longterm", "one product bet",
          "A portfolio of product bets: cost, chance of success, the payoff if it works "
          "(lognormal, median and spread) and the years until the payoff starts.", (
              C("bet_id", "int", "bet number", low=1),
              C("name", "str", "short name of the bet"),
              C("area", "str", "the part of the business it belongs to (three need the new "
                "delivery network: logistics)"),
              C("cost", "float", "money needed to try", "USD millions", low=0),
              C("p_success", "float", "the chance of success its team pitched", "probability",
                low=0, high=1),
              C("payoff_median", "float", "median payoff if it works", "USD millions", low=0),
              C("payoff_sigma", "float", "spread of the lognormal payoff (log scale)", low=0),
              C("years_to_payoff", "float", "years until the payoff begins", "years", low=0),
          ), scales=False),
    Table("purchases", "recommend", "one customer who bought one product",
          "Who bought what, for item-to-item recommendations: each customer's last order is held "
          "out as the test split.", (
              C("customer_id", "int", "customer (customers.customer_id)", low=1),
              C("product_id", "int", "product (products.product_id)", low=1),
              C("split", "str", "train: bought before the customer's last order; test: in it",
                values=("train", "test")),
          )),
)

TABLES: dict[str, Table] = {t.name: t for t in _TABLES}
