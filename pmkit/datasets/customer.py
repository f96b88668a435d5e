"""Customer obsession: reviews, NPS answers, support tickets, a Kano survey and the backlog.

Reviews and tickets hang off real orders, so a late order really does produce more
"late delivery" reviews, "where is my order" tickets and lower NPS scores. Each
pain-point theme has a known frequency and severity; truth('reviews') ranks them.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from pmkit.datasets._build import labels
from pmkit.datasets.company import DAY0

REVIEW_RATE = 0.10  # share of order lines that get a review
REVIEW_END = np.datetime64("2026-03-31", "D")
#: Stars before any pain point (5 .. 1): most reviews are glowing, as on every marketplace.
BASE_STARS = (0.70, 0.18, 0.06, 0.03, 0.03)

#: theme -> chance per review, categories it applies to (empty: all), chance that it makes
#: the reviewer angry (one star; otherwise it costs one star), phrases used in the text and
#: a regular expression that finds them
THEMES: dict[str, dict[str, Any]] = {
    "late delivery": {
        "probability": 0.03, "probability_if_late": 0.55, "categories": (), "anger": 0.5,
        "phrases": ("It arrived late.", "Delivery was delayed by days.",
                    "Took ages to arrive, well past the promised date.",
                    "The parcel came late and nobody told me why."),
        "pattern": r"\b(?:late|delayed|took ages|promised date)\b"},
    "damaged packaging": {
        "probability": 0.06, "categories": (), "anger": 0.35,
        "phrases": ("The box was crushed.", "Packaging was torn open when it arrived.",
                    "Came in a damaged box.", "The packaging was dented and soaked."),
        "pattern": r"\b(?:crushed|torn|damaged box|dented)\b"},
    "battery life": {
        "probability": 0.25, "categories": ("Electronics",), "anger": 0.25,
        "phrases": ("Battery life is poor.", "The battery drains in a few hours.",
                    "Needs charging all the time.", "Battery barely lasts a day."),
        "pattern": r"\b(?:battery|charging)\b"},
    "sizing": {
        "probability": 0.30, "categories": ("Fashion",), "anger": 0.15,
        "phrases": ("Runs small, order a size up.", "The sizing is way off.",
                    "Too tight even in my usual size.", "Fits much larger than the size chart."),
        "pattern": r"\b(?:size|sizing|too tight|fits)\b"},
    "price": {
        "probability": 0.07, "categories": (), "anger": 0.1,
        "phrases": ("Overpriced for what you get.", "A bit expensive.",
                    "Cheaper elsewhere.", "Not worth the money."),
        "pattern": r"\b(?:overpriced|expensive|cheaper|worth the money)\b"},
    "support": {
        "probability": 0.03, "categories": (), "anger": 0.6,
        "phrases": ("Customer service never replied.", "Support was useless.",
                    "I contacted the help desk twice and got nowhere.",
                    "The support agent closed my case without fixing it."),
        "pattern": r"\b(?:customer service|support|help desk)\b"},
    "missing parts": {
        "probability": 0.08, "categories": ("Toys", "Home"), "anger": 0.4,
        "phrases": ("Parts were missing from the box.", "A piece was missing.",
                    "Incomplete: no screws included.", "Missing parts, could not assemble it."),
        "pattern": r"\b(?:missing|incomplete)\b"},
}
_OPENERS = {
    5: ("Love it!", "Excellent, would buy again.", "Exactly what I wanted.", "Five stars."),
    4: ("Very good overall.", "Pretty good.", "Happy with it.", "Good value."),
    3: ("It's okay.", "Average.", "Does the job.", "Mixed feelings."),
    2: ("Disappointed.", "Not great.", "Below expectations.", "Meh."),
    1: ("Terrible.", "Awful experience.", "Would not recommend.", "Very unhappy."),
}


def _pick(rng: np.random.Generator, options: tuple[str, ...], n: int) -> np.ndarray:
    return np.asarray(options, dtype=object)[rng.integers(0, len(options), n)]


def make_reviews(build: Any) -> dict[str, tuple[pd.DataFrame, dict[str, Any]]]:
    rng = build.rng("reviews")
    lines = build.table("order_lines")
    orders = build.table("orders")
    reviewed = np.flatnonzero(rng.random(len(lines)) < REVIEW_RATE)
    order_index = lines.order_id.to_numpy()[reviewed] - 1
    category_labels = lines["category"].array[reviewed]
    category = np.asarray(category_labels, dtype=object)
    late = (orders.actual_days.to_numpy() > orders.promised_days.to_numpy())[order_index]
    n = reviewed.size
    has = {}
    for theme, spec in THEMES.items():
        p = np.full(n, spec["probability"])
        if spec["categories"]:
            p = np.where(np.isin(category, spec["categories"]), p, 0.0)
        if "probability_if_late" in spec:
            p = np.where(late, spec["probability_if_late"], p)
        has[theme] = rng.random(n) < p
    stars = 5 - rng.choice(5, n, p=BASE_STARS)
    # Each pain point costs a star; an angry customer drops straight to one star, which
    # is what gives ratings their J shape.
    for theme, spec in THEMES.items():
        angry = has[theme] & (rng.random(n) < spec["anger"])
        stars = np.where(has[theme], np.maximum(stars - 1, 1), stars)
        stars = np.where(angry, 1, stars)
    stars = stars.astype(np.int64)
    text = _review_text(rng, stars, has)
    day = (orders.order_date.to_numpy()[order_index].astype("datetime64[D]") - DAY0).astype(
        np.int64) + orders.actual_days.to_numpy()[order_index] + rng.integers(0, 15, n)
    order_ids = order_index + 1
    frame = pd.DataFrame({
        "review_id": np.arange(1, n + 1),
        "order_id": order_ids,
        "customer_id": orders.customer_id.to_numpy()[order_index],
        "product_id": lines.product_id.to_numpy()[reviewed],
        "category": category_labels,
        "date": pd.Series((DAY0 + day).astype("datetime64[s]")),
        "stars": stars,
        "text": text,
    })
    none = ~np.any(np.column_stack(list(has.values())), axis=1)
    clean_mean = float(stars[none].mean())
    themes = {}
    for theme, spec in THEMES.items():
        flag = has[theme]
        mean = float(stars[flag].mean()) if flag.any() else clean_mean
        themes[theme] = {
            "frequency": round(float(flag.mean()), 6),
            "anger": spec["anger"],
            "mean_stars": round(mean, 6),
            "stars_lost": round(clean_mean - mean, 6),
            "impact": round(float(flag.mean()) * (clean_mean - mean), 6),
            "categories": list(spec["categories"]) or "all",
            "pattern": spec["pattern"],
        }
    ranking = sorted(themes, key=lambda t: -themes[t]["impact"])
    truth = {
        "themes": themes,
        "ranking": ranking,
        "mean_stars_without_pain_points": round(clean_mean, 6),
        "base_star_shares_5_to_1": list(BASE_STARS),
        "late_delivery_probability_if_order_late": THEMES["late delivery"]["probability_if_late"],
        "note": "frequency: share of reviews that mention the theme; severity (stars_lost): "
                "mean stars of reviews without any pain point minus mean stars of reviews with "
                "this one; impact = frequency x stars_lost, which gives the ranking. anger: "
                "chance the theme turns a review into one star (otherwise it costs one star). "
                "pattern is a regular expression that finds the theme in the text.",
    }
    return {"reviews": (frame, truth)}


def _review_text(rng: np.random.Generator, stars: np.ndarray,
                 has: dict[str, np.ndarray]) -> pd.Categorical:
    """Review texts: an opener that fits the stars, then one sentence
    per theme the review mentions.

    Each review is first described by small integers (which opener, which phrase per
    theme), so each distinct text is built once however many reviews share it.
    """
    n = stars.size
    opener = rng.integers(0, 4, n)
    key = (5 - stars) * 4 + opener  # 20 openers: 4 per star level
    for theme, spec in THEMES.items():
        phrase = rng.integers(0, len(spec["phrases"]), n) + 1
        key = key * (len(spec["phrases"]) + 1) + np.where(has[theme], phrase, 0)
    unique, inverse = np.unique(key, return_inverse=True)
    texts = []
    for code in unique.tolist():
        sentences = []
        for spec in reversed(THEMES.values()):
            code, phrase = divmod(code, len(spec["phrases"]) + 1)
            if phrase:
                sentences.append(spec["phrases"][phrase - 1])
        star_level, which = divmod(code, 4)
        sentences.append(_OPENERS[5 - star_level][which])
        texts.append(" ".join(reversed(sentences)))
    return labels(texts, inverse)


def theme_flags(text: pd.Series) -> pd.DataFrame:
    """Which pain-point themes each review text mentions, using the themes' true patterns.

    >>> theme_flags(pd.Series(["It arrived late. The box was crushed."])).iloc[0].sum()
    np.int64(2)
    """
    return pd.DataFrame({t: text.str.contains(spec["pattern"], flags=re.IGNORECASE, regex=True)
                         for t, spec in THEMES.items()})


# --- NPS ---------------------------------------------------------------------------------------

NPS_INVITED = 6_000  # customers the survey is sent to; about half answer
NPS_RESPONSE_BASE, NPS_RESPONSE_SLOPE = 0.0, 0.12  # logistic chance of answering, by score
NPS_BASE, NPS_NOISE = 8.1, 1.9
NPS_LATE_EFFECT = -1.3  # points per late delivery the customer experienced (up to 3)
NPS_MEMBER_EFFECT = 0.7
_NPS_COMMENTS = {
    "promoter": ("Fast and easy, love Basketly.", "Great prices and quick delivery.",
                 "Always reliable.", "Best place for my weekly shop."),
    "passive": ("Fine, nothing special.", "Good but delivery could be faster.",
                "Decent selection.", "It works."),
    "detractor": ("Too many problems lately.", "Prices went up.", "Hard to reach support.",
                  "App keeps crashing."),
    "late": ("My orders keep arriving late.", "Deliveries are never on time.",
             "Late again, I am tired of waiting."),
}


def make_nps(build: Any) -> dict[str, tuple[pd.DataFrame, dict[str, Any]]]:
    """NPS answers from the customers who chose to answer: happier customers answer more often.

    The survey goes to ``NPS_INVITED`` customers; each would give a score from the model below,
    but answers with a chance that rises with that score (non-response bias). The table holds
    the answers; the truth holds the NPS of everyone invited (the population the survey speaks
    for) beside the respondents' NPS.
    """
    rng = build.rng("nps")
    orders = build.table("orders")
    customers = build.table("customers")
    cust = orders.customer_id.to_numpy() - 1
    day = (orders.order_date.to_numpy().astype("datetime64[D]") - DAY0).astype(np.int64)
    late = orders.actual_days.to_numpy() > orders.promised_days.to_numpy()
    first_order = pd.Series(day).groupby(cust).min()
    n = min(NPS_INVITED * build.scale, len(first_order))
    who = np.sort(rng.choice(first_order.index.to_numpy(), n, replace=False))
    start = first_order.loc[who].to_numpy() + 7
    survey_end = int((REVIEW_END - DAY0).astype(np.int64))
    survey = start + np.floor(rng.random(n) * np.maximum(survey_end - start, 1)).astype(np.int64)
    # Late deliveries each invited customer had before the survey reached them.
    position = np.full(len(customers), -1)
    position[who] = np.arange(n)
    slot = position[cust]
    counted = (slot >= 0) & late
    counted[counted] = day[counted] < survey[slot[counted]]
    late_count = np.bincount(slot[counted], minlength=n)
    since = customers.member_since.to_numpy()[who].astype("datetime64[D]")
    until = customers.member_until.to_numpy()[who].astype("datetime64[D]")
    when = DAY0 + survey
    member = ~np.isnat(since) & (since <= when) & (np.isnat(until) | (when < until))
    latent = (NPS_BASE + NPS_LATE_EFFECT * np.minimum(late_count, 3) + NPS_MEMBER_EFFECT * member
              + NPS_NOISE * rng.standard_normal(n))
    score = np.clip(np.round(latent), 0, 10).astype(np.int64)
    # Who answers: the chance rises with the score the customer would give (logistic).
    answer_chance = 1 / (1 + np.exp(-(NPS_RESPONSE_BASE + NPS_RESPONSE_SLOPE * (score - 8))))
    answered = rng.random(n) < answer_chance
    group = np.where(score >= 9, "promoter", np.where(score >= 7, "passive", "detractor"))
    comment = np.empty(n, dtype=object)
    for g in ("promoter", "passive", "detractor"):
        where = group == g
        comment[where] = _pick(rng, _NPS_COMMENTS[g], int(where.sum()))
    blames_late = (late_count > 0) & (score <= 8) & (rng.random(n) < 0.6)
    comment[blames_late] = _pick(rng, _NPS_COMMENTS["late"], int(blames_late.sum()))
    comment[rng.random(n) < 0.25] = None  # many people skip the comment box
    k = int(answered.sum())
    frame = pd.DataFrame({
        "response_id": np.arange(1, k + 1),
        "customer_id": who[answered] + 1,
        "date": pd.Series(when[answered].astype("datetime64[s]")),
        "score": score[answered],
        "comment": pd.array(comment[answered], dtype="str"),
    })
    frame = frame.sort_values(["date", "customer_id"], kind="stable").reset_index(drop=True)
    frame["response_id"] = np.arange(1, k + 1)

    def net(values: np.ndarray) -> float:
        return 100 * (float((values >= 9).mean()) - float((values <= 6).mean()))

    truth = {
        "model": "score = round(base + late_effect * min(late deliveries before answering, 3) "
                 "+ member_effect * member + normal(0, noise)), clipped to 0..10",
        "base": NPS_BASE, "late_effect": NPS_LATE_EFFECT, "member_effect": NPS_MEMBER_EFFECT,
        "noise": NPS_NOISE,
        "nps": round(net(score[answered]), 6),
        "population_nps": round(net(score), 6),
        "invited": int(n),
        "response_rate": round(k / n, 6),
        "response_model": "chance of answering = 1 / (1 + exp(-(response_base + response_slope * "
                          "(score - 8)))): happier customers answer more often",
        "response_base": NPS_RESPONSE_BASE, "response_slope": NPS_RESPONSE_SLOPE,
        "response_rate_by_group": {g: round(float(answered[group == g].mean()), 6)
                                   for g in ("promoter", "passive", "detractor")},
        "late_deliveries_per_respondent": round(float(late_count[answered].mean()), 6),
        "late_deliveries_per_invited": round(float(late_count.mean()), 6),
        "note": "nps is the respondents' score (what the survey shows); population_nps is the "
                "score of every invited customer, had they all answered: the number the survey "
                "tries to estimate. The gap is non-response bias, which no margin of error covers.",
    }
    return {"nps": (frame, truth)}


# --- support tickets ---------------------------------------------------------------------------

#: topic -> (chance per order, median hours to resolve, chance of being reopened)
TICKETS = {
    "where is my order": (0.01, 6.0, 0.08),
    "damaged item": (0.015, 30.0, 0.15),
    "refund": (0.02, 48.0, 0.22),
    "wrong item": (0.01, 36.0, 0.12),
    "account": (0.005, 4.0, 0.05),
    "payment": (0.006, 12.0, 0.10),
}
LATE_TICKET = 0.30  # chance of a 'where is my order' ticket when the order is late
HOURS_SIGMA = 0.9


def make_tickets(build: Any) -> dict[str, tuple[pd.DataFrame, dict[str, Any]]]:
    rng = build.rng("tickets")
    orders = build.table("orders")
    m = len(orders)
    late = orders.actual_days.to_numpy() > orders.promised_days.to_numpy()
    topics = tuple(TICKETS)
    chance = np.column_stack([np.full(m, TICKETS[t][0]) for t in topics])
    chance[:, 0] = np.where(late, LATE_TICKET, chance[:, 0])
    # At most one ticket per order: the first topic whose coin comes up, in a random order.
    hit = rng.random(chance.shape) < chance
    any_hit = hit.any(axis=1)
    priority = np.where(hit, rng.random(chance.shape), 2.0)
    topic = np.argmin(priority, axis=1)[any_hit]
    rows = np.flatnonzero(any_hit)
    k = rows.size
    order_day = orders.order_date.to_numpy()[rows].astype("datetime64[D]")
    wait = np.where(topic == 0, orders.promised_days.to_numpy()[rows] + 1,
                    orders.actual_days.to_numpy()[rows] + rng.integers(0, 6, k))
    opened = np.minimum(order_day + wait, REVIEW_END)
    median = np.asarray([TICKETS[t][1] for t in topics])[topic]
    hours = np.round(median * np.exp(HOURS_SIGMA * rng.standard_normal(k)), 1)
    reopened = rng.random(k) < np.asarray([TICKETS[t][2] for t in topics])[topic]
    frame = pd.DataFrame({
        "ticket_id": np.arange(1, k + 1),
        "customer_id": orders.customer_id.to_numpy()[rows],
        "order_id": orders.order_id.to_numpy()[rows],
        "opened": pd.Series(opened.astype("datetime64[s]")),
        "topic": labels(topics, topic),
        "hours_to_resolve": hours,
        "reopened": reopened,
    })
    frame = frame.sort_values(["opened", "ticket_id"], kind="stable").reset_index(drop=True)
    frame["ticket_id"] = np.arange(1, k + 1)
    truth = {
        "topics": {t: {"probability_per_order": p, "median_hours": h, "reopen_probability": r}
                   for t, (p, h, r) in TICKETS.items()},
        "late_order_ticket_probability": LATE_TICKET,
        "hours_log_sd": HOURS_SIGMA,
        "note": "hours_to_resolve is lognormal per topic; late orders raise 'where is my order'.",
    }
    return {"tickets": (frame, truth)}


# --- Kano survey -------------------------------------------------------------------------------

KANO_RESPONDENTS = 250
#: feature -> true Kano category
KANO_FEATURES = {
    "order tracking": "must-be",
    "secure checkout": "must-be",
    "same-day delivery": "one-dimensional",
    "lower delivery fees": "one-dimensional",
    "AR try-on": "attractive",
    "gift wrapping": "attractive",
    "carbon-neutral shipping": "indifferent",
    "autoplay video ads": "reverse",
}
#: category -> the (functional, dysfunctional) answers typical of it
_KANO_TYPICAL = {
    "must-be": (("expect", "neutral", "tolerate"), ("dislike",)),
    "one-dimensional": (("like",), ("dislike",)),
    "attractive": (("like",), ("expect", "neutral", "tolerate")),
    "indifferent": (("neutral", "tolerate", "expect"), ("neutral", "tolerate", "expect")),
    "reverse": (("dislike",), ("like", "expect", "neutral")),
}
KANO_CONSISTENT = 0.6  # share of answers that follow the feature's true category
KANO_ANSWERS = ("like", "expect", "neutral", "tolerate", "dislike")


#: The same survey two years earlier: two of today's basics and must-haves were delighters then
#: (Kano's life cycle: customers get used to a delight, competitors copy it).
KANO_2023_RESPONDENTS = 200
KANO_FEATURES_2023 = {**KANO_FEATURES, "order tracking": "attractive", "same-day delivery": "attractive"}


def make_kano(build: Any) -> dict[str, tuple[pd.DataFrame, dict[str, Any]]]:
    now = _kano_wave(build.rng("kano"), KANO_RESPONDENTS, KANO_FEATURES)
    then = _kano_wave(build.rng("kano_2023"), KANO_2023_RESPONDENTS, KANO_FEATURES_2023)
    truth = {
        "category": KANO_FEATURES,
        "consistent_share": KANO_CONSISTENT,
        "note": "A share consistent_share of answers follows the feature's true category; the "
                "rest are random pairs (noise, including questionable answers). The most "
                "common category from the standard Kano evaluation table recovers the truth.",
    }
    truth_then = {
        "category": KANO_FEATURES_2023,
        "consistent_share": KANO_CONSISTENT,
        "decayed": {f: [c, KANO_FEATURES[f]] for f, c in KANO_FEATURES_2023.items()
                    if c != KANO_FEATURES[f]},
        "note": "The 2023 wave of the Kano survey, made like today's. decayed lists the features "
                "whose true category changed since: [2023 category, today's category].",
    }
    return {"kano": (now, truth), "kano_2023": (then, truth_then)}


def _kano_wave(rng: np.random.Generator, n: int, categories: dict[str, str]) -> pd.DataFrame:
    """One wave of Kano answers: a share KANO_CONSISTENT follows each feature's category."""
    features = tuple(categories)
    respondent = np.repeat(np.arange(1, n + 1), len(features))
    feature = np.tile(np.asarray(features, dtype=object), n)
    functional = _pick(rng, KANO_ANSWERS, feature.size)
    dysfunctional = _pick(rng, KANO_ANSWERS, feature.size)
    consistent = rng.random(feature.size) < KANO_CONSISTENT
    for name, category in categories.items():
        where = consistent & (feature == name)
        func_opts, dys_opts = _KANO_TYPICAL[category]
        functional[where] = _pick(rng, func_opts, int(where.sum()))
        dysfunctional[where] = _pick(rng, dys_opts, int(where.sum()))
    return pd.DataFrame({"respondent_id": respondent,
                         "feature": pd.array(feature, dtype="str"),
                         "functional": pd.array(functional, dtype="str"),
                         "dysfunctional": pd.array(dysfunctional, dtype="str")})


# --- backlog -----------------------------------------------------------------------------------

_BACKLOG = ("Saved carts", "Reorder in one tap", "Delivery time slots", "Gift cards",
            "Price-drop alerts", "Wish lists", "Live chat support", "Product Q&A",
            "Photo reviews", "Bundle discounts", "Dark mode", "Store pickup", "Size advisor",
            "Loyalty points", "Faster search", "Voice search", "Family accounts",
            "Subscribe and save", "Carbon label", "Order splitting", "Returns label printer",
            "Recipe to basket", "Seller ratings", "Instalment payments", "Chatbot returns",
            "Home screen widget", "Better filters", "Address autocomplete", "Gift messages",
            "Compare products")


REQUESTS_PER_CUSTOMER = 0.02  # requests per customer reached, before the vocal streak


def make_backlog(build: Any) -> dict[str, tuple[pd.DataFrame, dict[str, Any]]]:
    rng = build.rng("backlog")
    n = len(_BACKLOG)
    true_reach = np.round(rng.lognormal(np.log(8000), 1.0, n))
    true_impact = rng.lognormal(np.log(0.8), 0.6, n)  # value per customer reached, in "impact"
    true_effort = rng.lognormal(np.log(3), 0.7, n)
    confidence = rng.choice((0.5, 0.8, 1.0), n, p=(0.3, 0.4, 0.3))
    # Low-confidence estimates are noisier; a few pet projects are oversold.
    noise = 0.15 + 0.7 * (1 - confidence)
    oversold = rng.random(n) < 0.15
    reach = np.maximum(1, np.round(true_reach * np.exp(noise * rng.standard_normal(n)), -1))
    impact_guess = true_impact * np.exp(noise * rng.standard_normal(n)) * np.where(oversold, 3, 1)
    scale = np.array([0.25, 0.5, 1.0, 2.0, 3.0])
    impact = scale[np.argmin(np.abs(np.log(impact_guess[:, None] / scale[None, :])), axis=1)]
    effort = np.clip(np.round(true_effort * np.exp(0.3 * rng.standard_normal(n)) * 2) / 2, 0.5, 24)
    # Requests: customers who asked for the item. Loudness follows reach and a vocal streak
    # (some wishes are voiced far more than others), not impact or effort.
    vocal = rng.lognormal(0.0, 1.0, n)
    requests = rng.poisson(true_reach * REQUESTS_PER_CUSTOMER * vocal).astype(np.int64)
    rice = reach * impact * confidence / effort
    if np.argmax(requests) == np.argmax(rice):
        # The loudest request is planted elsewhere: the lesson's point is that they differ.
        loudest, runner_up = np.argsort(-requests)[:2]
        requests[[loudest, runner_up]] = requests[[runner_up, loudest]]
    frame = pd.DataFrame({"item_id": np.arange(1, n + 1), "title": pd.array(_BACKLOG, dtype="str"),
                          "reach": reach.astype(np.int64), "impact": impact,
                          "confidence": confidence, "effort": effort, "requests": requests})
    value = true_reach * true_impact  # value delivered per quarter, in impact-weighted customers
    per_effort = value / true_effort
    best = [int(i) for i in np.argsort(-per_effort)[:5] + 1]
    truth = {
        "true_value": {int(i): round(float(v), 3) for i, v in zip(frame.item_id, value, strict=True)},
        "true_effort": {int(i): round(float(e), 3) for i, e in zip(frame.item_id, true_effort,
                                                                  strict=True)},
        "true_value_per_effort": {int(i): round(float(v), 3)
                                  for i, v in zip(frame.item_id, per_effort, strict=True)},
        "best_items": best,
        "oversold_items": [int(i) for i in frame.item_id[oversold]],
        "loudest_item": int(np.argmax(requests) + 1),
        "requests_model": "requests = poisson(true reach x requests_per_customer x vocal), vocal "
                          "lognormal(0, 1): loudness follows reach and chance, not value per effort",
        "requests_per_customer": REQUESTS_PER_CUSTOMER,
        "note": "true_value = true reach x true impact per quarter; the best items have the "
                "highest true_value / true_effort. Estimates are noisier when confidence is "
                "low, and oversold items had their impact inflated threefold.",
    }
    return {"backlog": (frame, truth)}


MAKERS = {make_reviews: ("reviews",), make_nps: ("nps",), make_tickets: ("tickets",),
          make_kano: ("kano", "kano_2023"), make_backlog: ("backlog",)}
