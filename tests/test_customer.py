"""Tests for pmkit.customer: reference values, properties, ground truth and bad input."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pmkit import customer as cu

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------ import ---


def test_import_stays_light():
    code = (
        "import sys, pmkit.customer; "
        "heavy = [m for m in ('matplotlib', 'scipy', 'ipywidgets', 'statsmodels') if m in sys.modules]; "
        "assert not heavy, heavy"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


# --------------------------------------------------------------------- NPS ---


def _reference_nps(scores: np.ndarray) -> tuple[float, float]:
    """NPS and its standard error from the multinomial covariance matrix."""
    n = scores.size
    p_promoter = np.mean(scores >= 9)
    p_detractor = np.mean(scores <= 6)
    # Var(p̂P − p̂D) = [pP(1−pP) + pD(1−pD) + 2·pP·pD] / n for one multinomial sample.
    variance = (p_promoter * (1 - p_promoter) + p_detractor * (1 - p_detractor)
                + 2 * p_promoter * p_detractor) / n
    return 100 * (p_promoter - p_detractor), 100 * math.sqrt(variance)


def test_nps_matches_direct_computation():
    scores = np.random.default_rng(1).integers(0, 11, size=500)
    result = cu.nps(scores)
    score, se = _reference_nps(scores)
    assert result.score == pytest.approx(score, abs=1e-9)
    assert result.standard_error == pytest.approx(se, abs=1e-9)
    assert result.promoters + result.passives + result.detractors == result.n == 500
    assert result.promoters == int((scores >= 9).sum())
    assert result.detractors == int((scores <= 6).sum())


def test_nps_standard_error_equals_the_mean_of_plus_minus_one_scores():
    # NPS/100 is the mean of +1 (promoter), 0 (passive), −1 (detractor); its SE is sd/√n.
    scores = np.random.default_rng(2).integers(0, 11, size=321)
    coded = np.where(scores >= 9, 1.0, np.where(scores <= 6, -1.0, 0.0))
    result = cu.nps(scores)
    assert result.score == pytest.approx(100 * coded.mean(), abs=1e-9)
    assert result.standard_error == pytest.approx(100 * coded.std(ddof=0) / math.sqrt(coded.size), abs=1e-9)


def test_nps_confidence_interval_uses_the_normal_quantile():
    from scipy import stats

    scores = np.random.default_rng(3).integers(0, 11, size=800)
    for alpha in (0.01, 0.05, 0.2):
        result = cu.nps(scores, alpha=alpha)
        z = stats.norm.ppf(1 - alpha / 2)
        assert result.ci[0] == pytest.approx(result.score - z * result.standard_error, abs=1e-6)
        assert result.ci[1] == pytest.approx(result.score + z * result.standard_error, abs=1e-6)


def test_nps_standard_error_agrees_with_a_bootstrap():
    rng = np.random.default_rng(4)
    scores = rng.choice(11, size=600, p=np.r_[np.full(7, 0.03), [0.12, 0.2], [0.25, 0.22]])
    draws = rng.choice(scores, size=(4000, scores.size), replace=True)
    boot = 100 * ((draws >= 9).mean(axis=1) - (draws <= 6).mean(axis=1))
    assert cu.nps(scores).standard_error == pytest.approx(boot.std(ddof=1), rel=0.05)


def test_nps_interval_covers_the_true_score_about_95_percent_of_the_time():
    rng = np.random.default_rng(5)
    probabilities = np.r_[np.full(7, 0.04), [0.15, 0.15], [0.22, 0.20]]
    true_nps = 100 * (probabilities[9:].sum() - probabilities[:7].sum())
    hits = 0
    for _ in range(400):
        result = cu.nps(rng.choice(11, size=300, p=probabilities))
        hits += result.ci[0] <= true_nps <= result.ci[1]
    assert 0.92 <= hits / 400 <= 0.98


def test_nps_edge_cases():
    everyone_loves_it = cu.nps([10, 9, 10])
    assert everyone_loves_it.score == 100
    assert everyone_loves_it.standard_error == 0
    assert everyone_loves_it.ci == (100, 100)
    assert cu.nps([0, 6]).score == -100
    assert cu.nps([7, 8]).score == 0
    assert cu.nps(pd.Series([9.0, 3.0])).score == 0
    assert cu.nps([10, 0, 10, 0, 10, 0, 10, 0] * 100).ci[1] <= 100


@pytest.mark.parametrize(("scores", "error", "words"), [
    ([9], ValueError, "at least 2"),
    ([], ValueError, "at least 2"),
    ([9, 11], ValueError, "<= 10"),
    ([9, -1], ValueError, ">= 0"),
    ([9, 7.5], ValueError, "whole numbers"),
    ([9, float("nan")], ValueError, "missing"),
    (["9", "10"], TypeError, "only numbers"),
    ("9 10", TypeError, "sequence"),
    (None, TypeError, "sequence"),
    ([[9, 10], [1, 2]], ValueError, "one-dimensional"),
    ([10**400, 9], ValueError, "too large"),
])
def test_nps_rejects_bad_answers(scores, error, words):
    with pytest.raises(error, match=words):
        cu.nps(scores)


@pytest.mark.parametrize("alpha", [0, 1, -0.1, 1.5, float("nan"), "0.05", None])
def test_nps_rejects_bad_alpha(alpha):
    with pytest.raises((ValueError, TypeError), match="alpha"):
        cu.nps([1, 10], alpha=alpha)


@FAST
@given(st.lists(st.integers(0, 10), min_size=2, max_size=300))
def test_nps_invariants(scores):
    result = cu.nps(scores)
    assert -100 <= result.ci[0] <= result.score <= result.ci[1] <= 100
    assert result.standard_error >= 0
    # Shifting every answer up never lowers the score.
    assert cu.nps([min(s + 1, 10) for s in scores]).score >= result.score
    # The order of the answers does not matter.
    assert cu.nps(list(reversed(scores))).score == result.score


def test_nps_result_reads_well():
    result = cu.nps([10, 10, 9, 8, 7, 6, 3, 10])
    assert result.summary().startswith("NPS is +25 (95% CI")
    assert "8 answers" in result.summary()
    assert "Net Promoter Score" in result._repr_html_()
    assert repr(result).startswith("Net Promoter Score: NPS is +25")
    frame = result.to_frame()
    assert frame["count"].tolist() == [2, 2, 4]
    assert frame["share"].sum() == pytest.approx(1)


def test_nps_by_segment_matches_nps_per_group():
    rng = np.random.default_rng(6)
    data = pd.DataFrame({"plan": rng.choice(["free", "plus", "pro"], size=900),
                         "score": rng.integers(0, 11, size=900)})
    data.loc[data["plan"] == "plus", "score"] = np.minimum(data.loc[data["plan"] == "plus", "score"] + 3, 10)
    result = cu.nps_by_segment(data, "plan")
    table = result.to_frame()
    assert table["plan"].iloc[0] == "plus"
    assert table["nps"].is_monotonic_decreasing
    for _, row in table.iterrows():
        direct = cu.nps(data.loc[data["plan"] == row["plan"], "score"])
        assert row["nps"] == pytest.approx(direct.score, abs=1e-9)
        assert row["standard_error"] == pytest.approx(direct.standard_error, abs=1e-9)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx(direct.ci, abs=1e-9)
    assert "larger than its ± " in result.summary()
    assert "plus" in result._repr_html_()


def test_nps_by_segment_says_when_a_gap_may_be_noise():
    data = pd.DataFrame({"plan": ["a"] * 4 + ["b"] * 4, "score": [10, 9, 3, 8, 10, 2, 3, 8]})
    assert "may be noise" in cu.nps_by_segment(data, "plan").summary()


def test_nps_by_segment_bad_input():
    data = pd.DataFrame({"plan": ["a", "a", "b"], "score": [9, 10, 3]})
    with pytest.raises(ValueError, match="'b' has 1 answer"):
        cu.nps_by_segment(data, "plan")
    with pytest.raises(ValueError, match=r"missing column\(s\) 'segment'; columns present: plan, score"):
        cu.nps_by_segment(data, "segment")
    with pytest.raises(ValueError, match="1 segment"):
        cu.nps_by_segment(data.assign(plan="a"), "plan")
    with pytest.raises(TypeError, match="DataFrame"):
        cu.nps_by_segment([9, 10], "plan")
    with pytest.raises(ValueError, match="missing values"):
        cu.nps_by_segment(data.assign(plan=["a", None, "b"]), "plan")


# ------------------------------------------------------------- pain points ---


def test_find_themes_matches_whole_words_and_stems():
    assert cu.find_themes("The chocolate was lovely") == ()
    assert cu.find_themes("It came LATE.") == ("late delivery",)
    assert cu.find_themes("Still waiting, and the app crashed twice") == ("late delivery", "app problems")
    assert cu.find_themes("It’s too tight and the box was dented") == ("damaged packaging", "sizing")
    custom = {"speed": ["slow*"], "colour": ("red",)}
    assert cu.find_themes("slowly, the red van came", lexicon=custom) == ("speed", "colour")


def test_pain_points_with_severity_hand_computed():
    texts = ["late again", "late and a rude agent", "great service", "app crashed at checkout"]
    severity = [0.5, 1.0, 0.0, 0.25]
    table = cu.pain_points(texts, severity).to_frame().set_index("theme")
    assert table.loc["late delivery", "mentions"] == 2
    assert table.loc["late delivery", "frequency"] == pytest.approx(0.5)
    assert table.loc["late delivery", "severity"] == pytest.approx(0.75)
    assert table.loc["late delivery", "score"] == pytest.approx(0.375)
    assert table.loc["support", "score"] == pytest.approx(0.25)
    assert table.loc["app problems", "score"] == pytest.approx(0.0625)
    assert table.loc["price", "mentions"] == 0
    assert table["rank"].tolist() == list(range(1, len(cu.LEXICON) + 1))
    assert table["score"].is_monotonic_decreasing


def test_pain_points_with_ratings_measure_stars_lost():
    texts = ["late", "late, support agent useless", "fine", "lovely", "overpriced"]
    stars = np.array([2, 1, 5, 4, 4])
    result = cu.pain_points(texts, ratings=stars)
    table = result.to_frame().set_index("theme")
    baseline = stars[[2, 3]].mean()
    assert table.loc["late delivery", "severity"] == pytest.approx(baseline - stars[[0, 1]].mean())
    assert table.loc["support", "severity"] == pytest.approx(baseline - 1)
    assert table.loc["price", "severity"] == pytest.approx(0.5)
    assert result.top(1) == ["late delivery"]
    assert "costing 3.0 stars" in result.summary()
    with pytest.raises(ValueError, match="no baseline"):
        cu.pain_points(["late", "overpriced"], ratings=[1, 2])
    with pytest.raises(ValueError, match="not both"):
        cu.pain_points(texts, [1] * 5, ratings=stars)


def test_pain_points_without_severity_rank_by_frequency():
    texts = ["too expensive", "cheaper elsewhere", "late", "expensive and late", "ok"]
    result = cu.pain_points(texts)
    assert result.top(2) == ["price", "late delivery"]
    assert result.unmatched == pytest.approx(0.2)
    assert result.summary().startswith("The top pain point is price: in 60.0% of 5 texts.")


def test_rank_themes_for_labelled_tickets():
    topics = ["refund", "refund", "where is my order", "where is my order", "where is my order"]
    hours = [70, 50, 8, 10, 6]
    table = cu.rank_themes(topics, hours).to_frame().set_index("theme")
    assert table.loc["refund", "score"] == pytest.approx(0.4 * 60)
    assert table.loc["where is my order", "score"] == pytest.approx(0.6 * 8)
    assert cu.rank_themes(topics).top(1) == ["where is my order"]
    with pytest.raises(ValueError, match="needs severity"):
        cu.rank_themes(topics, ratings=hours)


def test_theme_matrix_is_what_pain_points_counts():
    texts = ["late and crushed", "lovely", "support never replied", "late"]
    matrix = cu.theme_matrix(texts)
    assert list(matrix.columns) == list(cu.LEXICON)
    assert matrix["late delivery"].tolist() == [True, False, False, True]
    table = cu.pain_points(texts).to_frame().set_index("theme")
    assert (table["mentions"] == matrix.sum()[table.index]).all()


# Words that sit next to each other across two texts once they are joined for one scan.
EDGE_WORDS = ["late", "ly", "rude", "agent", "rude agent", "box", "crush", "crushed", "x", "", " ", "\n",
              "refund!", "-late-", "’", "LATE"]


@given(st.lists(st.lists(st.sampled_from(EDGE_WORDS), max_size=4).map(" ".join), min_size=1, max_size=12),
       st.sampled_from([None, {"edge": ["late", "rude agent"], "stem": ["crush*", "ly"]},
                        {"broken": ["rude\nagent"]}]))
@example(["so rude", "agent was late"], {"edge": ["rude agent"]})  # a match across two texts
@example(["late", "ly pleased"], {"edge": ["late"]})  # a word running on into the next text
@example(["so rude", "agent"], {"broken": ["rude\nagent"]})
def test_theme_matrix_finds_exactly_what_a_search_of_each_text_finds(texts: list[str], lexicon) -> None:
    matrix = cu.theme_matrix(texts, lexicon)
    for theme, pattern in cu._compile_lexicon(lexicon).items():
        one_by_one = [pattern.search(text.lower().replace("’", "'")) is not None for text in texts]
        assert matrix[theme].tolist() == one_by_one, theme


def test_top_theme_odds():
    texts = ["late"] * 30 + ["overpriced"] * 10 + ["fine"] * 60
    stars = [2] * 30 + [3] * 10 + [5] * 60
    everything = cu.top_theme_odds(texts, stars, sample_size=100, repeats=10)
    assert everything.to_frame().set_index("theme").loc["late delivery", "share"] == 1
    small = cu.top_theme_odds(texts, stars, sample_size=5, repeats=400, seed=3)
    table = small.to_frame().set_index("theme")
    assert table["share"].sum() == pytest.approx(1)
    # With 5 texts, P(no complaint at all) = C(60,5)/C(100,5): some samples find nothing.
    no_theme = math.comb(60, 5) / math.comb(100, 5)
    assert table.loc["no theme", "share"] == pytest.approx(no_theme, abs=0.05)
    assert table.loc["late delivery", "share"] > table.loc["price", "share"]
    assert small.true_top == "late delivery" and "late delivery" in small.summary()
    same = cu.top_theme_odds(texts, stars, sample_size=5, repeats=400, seed=3)
    assert same.to_frame().equals(small.to_frame())
    with pytest.raises(ValueError, match="larger than the number of texts"):
        cu.top_theme_odds(texts, sample_size=101)
    with pytest.raises(ValueError, match="at most 10,000"):
        cu.top_theme_odds(texts, sample_size=5, repeats=10**6)


def test_severity_from_rating():
    assert cu.severity_from_rating([1, 2, 5]).tolist() == [1.0, 0.75, 0.0]
    assert cu.severity_from_rating([0, 10, 5], worst=0, best=10).tolist() == [1.0, 0.0, 0.5]
    with pytest.raises(ValueError, match="<= 5"):
        cu.severity_from_rating([6])
    with pytest.raises(ValueError, match="differ"):
        cu.severity_from_rating([3], worst=3, best=3)


@pytest.mark.parametrize(("texts", "severity", "error", "words"), [
    ([], None, ValueError, "empty"),
    (["late", None], None, ValueError, "missing"),
    (["late", float("nan")], None, ValueError, "missing"),
    (["late", 3], None, TypeError, "only text"),
    ("late", None, TypeError, "list or Series"),
    ({"a": "late"}, None, TypeError, "ordered"),
    (["late", "ok"], [1.0], ValueError, "lengths differ"),
    (["late", "ok"], [1.0, -1.0], ValueError, ">= 0"),
    (["late", "ok"], [1.0, float("inf")], ValueError, "infinite"),
])
def test_pain_points_bad_input(texts, severity, error, words):
    with pytest.raises(error, match=words):
        cu.pain_points(texts, severity)


@pytest.mark.parametrize(("lexicon", "error"), [
    ({}, TypeError), ({"x": []}, ValueError), ({"x": ["*"]}, ValueError), ({"": ["a"]}, TypeError),
    ({"x": 3}, TypeError), (["late"], TypeError), ({"x": [None]}, ValueError),
])
def test_pain_points_bad_lexicon(lexicon, error):
    with pytest.raises(error, match=r"theme|lexicon|keyword"):
        cu.pain_points(["late"], lexicon=lexicon)


@FAST
@given(st.lists(st.tuples(st.sampled_from(["late", "box crushed", "rude agent", "great", "pricey"]),
                          st.floats(0, 1)), min_size=1, max_size=50))
def test_pain_point_invariants(rows):
    texts, severity = zip(*rows, strict=True)
    table = cu.pain_points(list(texts), list(severity)).to_frame()
    assert table["frequency"].between(0, 1).all()
    assert table["severity"].between(0, 1).all()
    assert table["score"].to_numpy() == pytest.approx((table["frequency"] * table["severity"]).to_numpy())
    assert table["score"].is_monotonic_decreasing
    # Doubling every severity doubles every score and keeps the order.
    doubled = cu.pain_points(list(texts), [2 * s for s in severity]).to_frame()
    assert doubled["theme"].tolist() == table["theme"].tolist()
    assert doubled["score"].to_numpy() == pytest.approx(2 * table["score"].to_numpy())


# -------------------------------------------------------------------- Kano ---

# The evaluation table as published (Berger et al. 1993, Table 1), written out
# cell by cell: functional answer, dysfunctional answer -> category.
PUBLISHED = """
like like Q | like expect A | like neutral A | like tolerate A | like dislike O
expect like R | expect expect I | expect neutral I | expect tolerate I | expect dislike M
neutral like R | neutral expect I | neutral neutral I | neutral tolerate I | neutral dislike M
tolerate like R | tolerate expect I | tolerate neutral I | tolerate tolerate I | tolerate dislike M
dislike like R | dislike expect R | dislike neutral R | dislike tolerate R | dislike dislike Q
"""
LETTERS = {"A": "attractive", "O": "one-dimensional", "M": "must-be", "I": "indifferent",
           "R": "reverse", "Q": "questionable"}
CELLS = [cell.split() for cell in PUBLISHED.replace("\n", "|").split("|") if cell.strip()]


@pytest.mark.parametrize(("functional", "dysfunctional", "letter"), CELLS)
def test_kano_category_follows_the_published_table(functional, dysfunctional, letter):
    expected = LETTERS[letter]
    assert cu.kano_category(functional, dysfunctional) == expected
    as_numbers = cu.KANO_ANSWERS.index(functional) + 1, cu.KANO_ANSWERS.index(dysfunctional) + 1
    assert cu.kano_category(*as_numbers) == expected


def test_kano_category_accepts_questionnaire_wording_and_lists():
    assert cu.kano_category("I like it", "I can live with it") == "attractive"
    assert cu.kano_category("It must be that way", "I dislike it") == "must-be"
    assert cu.kano_category(np.int64(1), 5.0) == "one-dimensional"
    assert cu.kano_category(pd.Series(["like", "expect"]), ["dislike", "dislike"]) == [
        "one-dimensional", "must-be"]


@pytest.mark.parametrize(("functional", "dysfunctional", "error", "words"), [
    (0, 3, ValueError, "1 \\(like\\) to 5"),
    (6, 3, ValueError, "1 \\(like\\) to 5"),
    (2.5, 3, ValueError, "whole number"),
    ("love", 3, ValueError, "not a Kano answer"),
    (None, 3, TypeError, "Kano answer"),
    (True, 3, TypeError, "Kano answer"),
    ([1, 2], 3, TypeError, "both"),
    ([1, 2], [3], ValueError, "lengths differ"),
    ([], [], ValueError, "empty"),
    (float("nan"), 3, ValueError, "whole number"),
])
def test_kano_category_bad_input(functional, dysfunctional, error, words):
    with pytest.raises(error, match=words):
        cu.kano_category(functional, dysfunctional)


def test_kano_coefficients_formula():
    result = cu.kano_coefficients({"attractive": 10, "one-dimensional": 20, "must-be": 30,
                                   "indifferent": 40, "reverse": 5, "questionable": 5})
    assert result.better == pytest.approx(30 / 100)
    assert result.worse == pytest.approx(-50 / 100)
    assert result.n == 100
    same = cu.kano_coefficients(["A"] * 10 + ["O"] * 20 + ["M"] * 30 + ["I"] * 40 + ["R"] * 5)
    assert (same.better, same.worse) == (result.better, result.worse)
    assert "30%" in result.summary() and "50%" in result.summary()


def test_kano_coefficients_bad_input():
    with pytest.raises(ValueError, match="no attractive"):
        cu.kano_coefficients(["reverse", "questionable"])
    with pytest.raises(ValueError, match="not a Kano category"):
        cu.kano_coefficients(["delightful"])
    with pytest.raises(ValueError, match="at least 0"):
        cu.kano_coefficients({"must-be": -1})
    with pytest.raises(TypeError, match="category"):
        cu.kano_coefficients([3])


@FAST
@given(st.lists(st.sampled_from(sorted(LETTERS.values())), min_size=1, max_size=80))
def test_kano_coefficient_invariants(categories):
    usable = [c for c in categories if c not in ("reverse", "questionable")]
    if not usable:
        with pytest.raises(ValueError):
            cu.kano_coefficients(categories)
        return
    result = cu.kano_coefficients(categories)
    assert 0 <= result.better <= 1
    assert -1 <= result.worse <= 0
    assert result.n == len(usable)
    # A feature can't be both must-be and attractive for the same answer, so better − worse ≤ 2.
    assert result.better - result.worse <= 2


def test_dominant_category_breaks_ties_by_cost_of_getting_it_wrong():
    assert cu.dominant_category({"attractive": 2, "one-dimensional": 2}) == "one-dimensional"
    assert cu.dominant_category({"indifferent": 5, "must-be": 4}) == "indifferent"
    with pytest.raises(ValueError, match="zero"):
        cu.dominant_category({"must-be": 0})


def test_kano_survey_by_feature():
    answers = pd.DataFrame({
        "feature": ["wrap"] * 3 + ["tracking"] * 4,
        "functional": ["like", "like", "neutral", "expect", "expect", "neutral", "like"],
        "dysfunctional": ["neutral", "tolerate", "neutral", "dislike", "dislike", "dislike", "dislike"],
    })
    survey = cu.kano_survey(answers)
    table = survey.to_frame().set_index("feature")
    assert survey.category("wrap") == "attractive"
    assert survey.category("tracking") == "must-be"
    assert table.loc["tracking", "must-be"] == 3
    assert table.loc["tracking", "better"] == pytest.approx(1 / 4)
    assert table.loc["tracking", "worse"] == pytest.approx(-1)
    assert "Must-be: tracking" in survey.summary()
    with pytest.raises(ValueError, match="no feature 'gift'"):
        survey.category("gift")
    with pytest.raises(ValueError, match=r"'answer_if_present'; columns present: feature"):
        cu.kano_survey(answers, functional="answer_if_present")


# -------------------------------------------------------------------- RICE ---


def test_rice_score_formula():
    assert cu.rice_score(2000, 2, 0.8, 4) == pytest.approx(800)
    rng = np.random.default_rng(7)
    reach, impact = rng.integers(1, 5000, 50), rng.choice([0.25, 0.5, 1, 2, 3], 50)
    confidence, effort = rng.uniform(0.5, 1, 50), rng.uniform(0.5, 24, 50)
    expected = reach * impact * confidence / effort
    assert cu.rice_score(reach, impact, confidence, effort) == pytest.approx(expected, rel=1e-12)
    assert isinstance(cu.rice_score(1, 1, 1, 1), float)


@pytest.mark.parametrize(("args", "error", "words"), [
    ((100, 1, 80, 2), ValueError, "80% is 0.8"),
    ((100, 1, 0.8, 0), ValueError, "effort should be > 0"),
    ((-1, 1, 0.8, 1), ValueError, "reach"),
    ((100, -2, 0.8, 1), ValueError, "impact"),
    (([1, 2], [1, 2, 3], 0.5, 1), ValueError, "lengths differ"),
    (([1, 2], 1, [0.5, 1.5], 1), ValueError, "80% is 0.8"),
    (([1, 2], 1, 0.5, [1, 0]), ValueError, "effort"),
    (("100", 1, 0.8, 1), TypeError, "reach"),
    ((100, 1, 0.8, 1j), TypeError, "effort"),
    ((float("nan"), 1, 0.8, 1), ValueError, "reach"),
])
def test_rice_score_bad_input(args, error, words):
    with pytest.raises(error, match=words):
        cu.rice_score(*args)


@FAST
@given(st.floats(0, 1e6), st.floats(0, 3), st.floats(0, 1), st.floats(0.01, 100), st.floats(1.01, 10))
def test_rice_invariants(reach, impact, confidence, effort, factor):
    base = cu.rice_score(reach, impact, confidence, effort)
    assert base >= 0
    assert cu.rice_score(reach, impact, confidence, effort * factor) <= base
    assert cu.rice_score(reach * factor, impact, confidence, effort) >= base


def test_rice_ranking():
    backlog = pd.DataFrame({"title": ["a", "b", "c"], "reach": [100, 1000, 500],
                            "impact": [3, 0.5, 1], "confidence": [1.0, 0.8, 0.5],
                            "effort": [1, 2, 5]})
    ranking = cu.rice_ranking(backlog, item="title")
    assert ranking.top(3) == ["a", "b", "c"]
    assert ranking.to_frame()["rice"].tolist() == pytest.approx([300, 200, 50])
    assert ranking.summary() == "Do a first (RICE 300), then b and c."
    with pytest.raises(ValueError, match=r"missing column\(s\) 'item'; columns present: title, reach"):
        cu.rice_ranking(backlog)
    with pytest.raises(ValueError, match="empty"):
        cu.rice_ranking(backlog.iloc[:0], item="title")


# ------------------------------------------------------------------ PR/FAQ ---

PARTS = dict(
    headline="Basketly groceries arrive inside the hour you pick",
    customer="Parents who order groceries every week",
    problem="One order in five arrives late & the evening plan falls apart.",
    benefit="Groceries arrive inside the promised hour.",
    evidence="Late delivery leads 1,240 reviews: 23.5% mention it.",
    experience="Pick a one-hour slot, follow the van live, get the fee back if it is late.",
    quotes=[("Dana, parent of two", "I finally trust the slot I pick.")],
    faq={"What if the van is late?": "The delivery fee comes back automatically."},
)


def test_prfaq_renders_every_part():
    doc = cu.prfaq(**PARTS)
    for rendered in (doc.to_markdown(), doc.to_text()):
        for part in ("customer", "problem", "benefit", "evidence", "experience"):
            assert PARTS[part] in rendered
        assert "I finally trust the slot I pick." in rendered
        assert "What if the van is late?" in rendered
    assert doc.to_markdown().startswith("# Basketly groceries arrive")
    page = doc._repr_html_()
    assert "late &amp; the evening" in page and "late & the" not in page
    assert doc.cited_numbers() == (1240.0, 23.5)
    questions = doc.five_questions()
    assert questions["question"].tolist() == list(cu.FIVE_QUESTIONS.values())
    assert questions["answer"].tolist()[0] == PARTS["customer"]
    assert "Parents who order groceries every week" in doc.summary()


@pytest.mark.parametrize(("change", "error", "words"), [
    ({"customer": "  "}, ValueError, "Who is the customer"),
    ({"problem": None}, TypeError, "'problem' should be text"),
    ({"evidence": "Customers told us so."}, ValueError, "cite at least one number"),
    ({"quotes": []}, ValueError, "at least one entry in quotes"),
    ({"quotes": ["just words"]}, TypeError, "pair"),
    ({"faq": {"Is it free": "Yes."}}, ValueError, "question mark"),
    ({"faq": {}}, ValueError, "at least one entry in faq"),
    ({"headline": "word " * 25}, ValueError, "20 words"),
])
def test_prfaq_checks_its_parts(change, error, words):
    with pytest.raises(error, match=words):
        cu.prfaq(**{**PARTS, **change})


def test_prfaq_accepts_pairs_and_dicts():
    doc = cu.prfaq(**{**PARTS, "quotes": [{"speaker": "Ana", "words": "Finally."}],
                      "faq": [("Why now?", "Because 23% of reviews ask.")]})
    assert doc.quotes == (("Ana", "Finally."),)
    assert doc.faq == (("Why now?", "Because 23% of reviews ask."),)


def test_cited_numbers():
    # "Q3" is a label, not a cited number.
    assert cu.cited_numbers("NPS rose from -12 to +8 (n = 2,400) in Q3; 4.5% churn") == (
        -12.0, 8.0, 2400.0, 4.5)
    assert cu.cited_numbers("no numbers here") == ()


# ------------------------------------------------------------------- plots ---


def test_every_result_plots_with_labels_and_a_title():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(8)
    segments = pd.DataFrame({"plan": ["a"] * 50 + ["b"] * 50, "score": rng.integers(0, 11, 100)})
    answers = pd.DataFrame({"feature": ["x", "x", "y", "y"],
                            "functional": ["like", "like", "expect", "expect"],
                            "dysfunctional": ["neutral", "neutral", "dislike", "dislike"]})
    backlog = pd.DataFrame({"item": ["a", "b"], "reach": [1, 2], "impact": [1, 1],
                            "confidence": [1, 1], "effort": [1, 1]})
    results = [cu.nps(segments["score"]), cu.nps_by_segment(segments, "plan"),
               cu.pain_points(["late", "rude agent", "late"], [1, 0.5, 0.5]),
               cu.rank_themes(["refund", "account"], [3, 1]),
               cu.top_theme_odds(["late", "fine", "crushed"], sample_size=2, repeats=5),
               cu.kano_survey(answers), cu.rice_ranking(backlog)]
    for result in results:
        assert result.summary() and "<div" in result._repr_html_() and result.summary() in repr(result)
        ax = result.plot()
        assert ax.get_title()
        assert ax.get_xlabel()
        plt.close(ax.figure)
    assert results[2].plot().get_title() == "Late delivery is the biggest pain point"
    assert results[6].plot().get_title() == "b ranks first"
    plt.close("all")


# -------------------------------------------------------------------- fuzz ---

def _object_array(values: list) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    for index, value in enumerate(values):
        out[index] = value
    return out


ANYTHING = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.text(max_size=8),
        st.floats(allow_nan=True, allow_infinity=True), st.integers(-(10**30), 10**30),
        st.just(10**400), st.just(-1), st.just(1j), st.sampled_from(["like", "must-be", "late", "A"]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=3), inner, max_size=3),
        st.lists(inner, min_size=1, max_size=4).map(lambda v: pd.DataFrame({"score": v})),
        st.lists(inner, max_size=4).map(_object_array),
    ),
    max_leaves=8,
)

PUBLIC = {
    "nps": (cu.nps, 1), "nps_by_segment": (cu.nps_by_segment, 3), "find_themes": (cu.find_themes, 2),
    "pain_points": (cu.pain_points, 2), "rank_themes": (cu.rank_themes, 2),
    "severity_from_rating": (cu.severity_from_rating, 1),
    "kano_category": (cu.kano_category, 2), "kano_coefficients": (cu.kano_coefficients, 1),
    "dominant_category": (cu.dominant_category, 1), "kano_survey": (cu.kano_survey, 4),
    "rice_score": (cu.rice_score, 4), "rice_ranking": (cu.rice_ranking, 6),
    "cited_numbers": (cu.cited_numbers, 1), "theme_matrix": (cu.theme_matrix, 2),
    "top_theme_odds": (lambda *a: cu.top_theme_odds(*a[:2], sample_size=a[2] if len(a) > 2 else 2,
                                                    repeats=a[3] if len(a) > 3 else 5), 4),
}


def test_fuzz_covers_every_public_function():
    functions = {name for name in cu.__all__ if callable(getattr(cu, name)) and name[0].islower()}
    assert functions - {"prfaq"} == set(PUBLIC)


@pytest.mark.parametrize("name", sorted(PUBLIC))
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fuzz_only_clear_errors_escape(name, data):
    function, arity = PUBLIC[name]
    args = data.draw(st.lists(ANYTHING, min_size=1, max_size=arity))
    try:
        function(*args)
    except (ValueError, TypeError) as exc:
        assert str(exc), f"{name} raised {type(exc).__name__} without a message"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(part=st.sampled_from(["headline", "customer", "problem", "benefit", "evidence", "experience",
                             "quotes", "faq", "subheading", "dateline"]), value=ANYTHING)
def test_fuzz_prfaq_parts(part, value):
    try:
        cu.prfaq(**{**PARTS, part: value})
    except (ValueError, TypeError) as exc:
        assert str(exc)


@settings(max_examples=60, deadline=None)
@given(alpha=ANYTHING, k=ANYTHING)
def test_fuzz_keyword_arguments(alpha, k):
    calls = (lambda: cu.nps([1, 9, 10], alpha=alpha), lambda: cu.pain_points(["late"]).top(k),
             lambda: cu.severity_from_rating([3], worst=alpha, best=k),
             lambda: cu.pain_points(["late", "ok"], ratings=alpha),
             lambda: cu.rank_themes(["a", "b"], severity=k))
    for call in calls:
        try:
            call()
        except (ValueError, TypeError) as exc:
            assert str(exc)


COLUMN = st.lists(ANYTHING.filter(lambda v: not isinstance(v, pd.DataFrame)), min_size=3, max_size=3)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=COLUMN, b=COLUMN, c=COLUMN, d=COLUMN, e=COLUMN)
def test_fuzz_tables_with_the_right_columns_and_wrong_values(a, b, c, d, e):
    tables = [
        (cu.nps_by_segment, pd.DataFrame({"plan": a, "score": b}), ("plan",)),
        (cu.kano_survey, pd.DataFrame({"feature": a, "functional": b, "dysfunctional": c}), ()),
        (cu.rice_ranking, pd.DataFrame({"item": a, "reach": b, "impact": c, "confidence": d,
                                        "effort": e}), ()),
    ]
    for function, table, args in tables:
        try:
            function(table, *args)
        except (ValueError, TypeError) as exc:
            assert str(exc)


# ------------------------------------------------------------ ground truth ---

SEEDS = [None, 11]


@pytest.mark.parametrize("seed", SEEDS)
def test_review_themes_recover_the_true_frequency_severity_and_ranking(seed):
    datasets = pytest.importorskip("pmkit.datasets")
    reviews, truth = datasets.load("reviews", seed=seed), datasets.truth("reviews", seed=seed)
    result = cu.pain_points(reviews["text"], ratings=reviews["stars"])
    table = result.to_frame().set_index("theme")
    for theme, true in truth["themes"].items():
        assert table.loc[theme, "frequency"] == pytest.approx(true["frequency"], abs=1e-5)
        assert table.loc[theme, "severity"] == pytest.approx(true["stars_lost"], abs=1e-5)
    assert result.top(len(truth["ranking"])) == truth["ranking"]


@pytest.mark.parametrize("seed", SEEDS)
def test_kano_survey_recovers_every_true_category(seed):
    datasets = pytest.importorskip("pmkit.datasets")
    survey = cu.kano_survey(datasets.load("kano", seed=seed))
    for feature, category in datasets.truth("kano", seed=seed)["category"].items():
        assert survey.category(feature) == category


@pytest.mark.parametrize("seed", SEEDS)
def test_rice_tracks_the_true_value_per_effort(seed):
    from scipy import stats

    datasets = pytest.importorskip("pmkit.datasets")
    backlog, truth = datasets.load("backlog", seed=seed), datasets.truth("backlog", seed=seed)
    true_value = {int(k): v for k, v in truth["true_value_per_effort"].items()}
    ranking = cu.rice_ranking(backlog, item="item_id").to_frame()
    rho = stats.spearmanr(ranking["rice"], ranking["item_id"].map(true_value)).statistic
    assert rho > 0.5
    # RICE trusts the inflated impact of oversold items: on average they rank above their true place.
    true_rank = ranking["item_id"].map(true_value).rank(ascending=False)
    oversold = ranking["item_id"].isin(truth["oversold_items"])
    assert (ranking.loc[oversold, "rank"] - true_rank[oversold]).mean() < 0


@pytest.mark.parametrize("seed", SEEDS)
def test_nps_interval_covers_the_true_nps(seed):
    datasets = pytest.importorskip("pmkit.datasets")
    answers, truth = datasets.load("nps", seed=seed), datasets.truth("nps", seed=seed)
    result = cu.nps(answers["score"])
    assert result.ci[0] <= truth["nps"] <= result.ci[1]


def test_theme_matrix_finds_each_answer_once_and_hands_out_a_fresh_table() -> None:
    texts = ["late and crushed", "lovely", "support never replied"]
    cu._theme_flags.cache_clear()
    first = cu.theme_matrix(texts)
    first.loc[1, "late delivery"] = True  # a learner edits their copy ...
    again = cu.theme_matrix(list(texts))  # ... an equal list, another object
    assert cu._theme_flags.cache_info().hits == 1
    assert again["late delivery"].tolist() == [True, False, False]  # ... and nobody else sees it
    assert again.dtypes.eq(bool).all() and list(again.columns) == list(cu.LEXICON)
    other = cu.theme_matrix(texts, {"late delivery": ["lovely"]})  # other keywords, other answer
    assert other["late delivery"].tolist() == [False, True, False]
