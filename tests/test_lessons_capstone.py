"""Lesson 17 under papermill: other seeds and other business assumptions still grade right."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmkit.exercises.engine import start
from tests.notebook_runs import run_notebook

ROOT = Path(__file__).resolve().parents[1]
MASTER = ROOT / "solutions" / "17_capstone.ipynb"


@pytest.mark.parametrize(
    "parameters",
    [{"seed": 7}, {"seed": 2024, "margin_rate": 0.15, "acquisition_cost": 120.0}],
    ids=["seed-7", "seed-2024-thin-margin"],
)
def test_master_passes_every_check_with_other_inputs(tmp_path: Path, parameters: dict) -> None:
    statuses = run_notebook(MASTER, tmp_path, **parameters)
    assert statuses == dict.fromkeys(start("17_capstone").exercises, "correct")


def test_the_memo_call_follows_the_long_term_numbers() -> None:
    generous = start("17_capstone", acquisition_cost=40.0)
    costly = start("17_capstone", acquisition_cost=5_000.0)
    assert generous.answer("memo") == "launch" and generous.answer("ltv_change") > 0
    assert costly.answer("memo") == "do not launch" and costly.answer("ltv_change") < 0
    launch = "launch: members add value and pay back, the pilot shipped, upsell iterates on returns"
    assert "loses money" in repr(costly.check("memo", launch))


def test_press_release_checker_wants_the_number_and_the_parts() -> None:
    from pmkit import customer

    lesson = start("17_capstone")
    share = lesson.answer("press_release")
    base = dict(
        headline="Plus On Time",
        customer="Regular shoppers",
        problem="Late parcels",
        benefit="On time or the fee back",
        experience="Join at checkout",
        quotes=[("Priya", "I trust the day now.")],
        faq={"Cost?": "A fee.", "Late?": "Refund.", "Who not?": "Rare shoppers."},
    )
    right = customer.prfaq(evidence=f"{share:.1f}% of reviews mention late delivery.", **base)
    wrong = customer.prfaq(evidence="Half of reviews mention it (50%).", **base)
    assert lesson.check("press_release", right).passed
    assert "share of reviews" in lesson.check("press_release", wrong).message
    assert "prfaq" in lesson.check("press_release", "a press release").message
