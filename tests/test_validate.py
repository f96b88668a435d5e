"""The shared input checks: clear TypeError/ValueError, never a wrong number."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pmkit import _validate as v


@pytest.mark.parametrize(
    ("call", "error", "phrase"),
    [
        (lambda: v.number("3", "rate"), TypeError, "rate should be a number"),
        (lambda: v.number(True, "rate"), TypeError, "should be a number"),
        (lambda: v.number(float("nan"), "rate"), ValueError, "finite"),
        (lambda: v.number(10**400, "rate"), ValueError, "too large"),
        (lambda: v.number(-1, "rate", low=0), ValueError, ">= 0"),
        (lambda: v.probability(1.5, "p"), ValueError, "<= 1.0"),
        (lambda: v.count(2.5, "n"), ValueError, "whole number"),
        (lambda: v.count(-1, "n"), ValueError, "at least 0"),
        (lambda: v.count(10**400, "n"), ValueError, "too large"),
        (lambda: v.array("abc", "x"), TypeError, "sequence of numbers"),
        (lambda: v.array({1, 2}, "x"), TypeError, "ordered"),
        (lambda: v.array([1, "a"], "x"), TypeError, "only numbers"),
        (lambda: v.array([1j], "x"), TypeError, "complex"),
        (lambda: v.array([10**400], "x"), ValueError, "too large"),
        (lambda: v.array([1.0, np.nan], "x"), ValueError, "missing"),
        (lambda: v.array([[1, 2]], "x"), ValueError, "one-dimensional"),
        (lambda: v.array([], "x"), ValueError, "at least 1"),
        (lambda: v.same_length(a=[1], b=[1, 2]), ValueError, "a has 1, b has 2"),
        (lambda: v.columns(pd.DataFrame({"a": [1]}), ["a", "b"]), ValueError, "'b'; columns present: a"),
        (lambda: v.columns([1], ["a"]), TypeError, "DataFrame"),
        (lambda: v.one_of("x", "method", ["holm"]), ValueError, "one of 'holm'"),
    ],
)
def test_bad_input_gets_a_clear_error(call, error: type[Exception], phrase: str) -> None:
    with pytest.raises(error, match=None) as caught:
        call()
    assert phrase in str(caught.value)


def test_good_input_passes_through() -> None:
    assert v.number(3, "x") == 3.0
    assert v.count(4.0, "n") == 4
    assert v.array(pd.Series([True, False]), "x").tolist() == [1.0, 0.0]
    assert v.probability(0.5, "p") == 0.5
