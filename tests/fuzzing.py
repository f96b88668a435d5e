"""Shared pieces of the modules' fuzz tests: break a valid call, demand a clear error or a result."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from hypothesis import strategies as st


def call_with_hostile_arguments(data: st.DataObject, function: Callable[..., Any], args: Sequence[Any],
                                kwargs: Mapping[str, Any], anything: st.SearchStrategy[Any],
                                check: Callable[[Any], None]) -> None:
    """Replace one or two arguments of a valid call with drawn values, then call it.

    The call may refuse with a ValueError or TypeError that says something; anything else
    escaping fails the test, and a result it returns must pass ``check``.
    """
    args, kwargs = list(args), dict(kwargs)
    slots = [("arg", i) for i in range(len(args))] + [("kw", k) for k in kwargs]
    for kind, key in data.draw(st.lists(st.sampled_from(slots), min_size=1, max_size=2, unique=True)):
        value = data.draw(anything)
        if kind == "arg":
            args[key] = value
        else:
            kwargs[key] = value
    try:
        result = function(*args, **kwargs)
    except (ValueError, TypeError) as exc:
        assert str(exc).strip(), f"{type(exc).__name__} without a message"
    else:
        check(result)


def summary_is_text(result: Any) -> None:
    """The check most analyses share: whatever came back can say what it found."""
    assert isinstance(result.summary(), str)
