"""Answers as plain data, for grading outside the learner's process.

Inside a grading run (``pmkit grade`` sets ``PMKIT_GRADING_ANSWERS`` in the sandboxed
kernel) ``lesson.check`` computes nothing: it records the learner's answer, as plain
data, to the answers file the grader created, and the grader works out the verdict in
its own process from the lesson and the seed. ``lesson.answer`` and the datasets' truth
refuse to run there.

Plain data is JSON with a few tagged objects for what JSON lacks (tuples, non-finite
floats, pandas tables, the toolbox's own result records), each checked for type and
size when it is read back:

>>> decode(encode((1, 2.5, "ship")))
(1, 2.5, 'ship')
>>> import pandas as pd
>>> decode(encode(pd.Series([0.25, 0.5], index=["a", "b"], name="share"))).to_dict()
{'a': 0.25, 'b': 0.5}
>>> encode(open)
Traceback (most recent call last):
...
pmkit.exercises.capture.Unplain: a builtin_function_or_method is not plain data (numbers, text, lists, tables)
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import importlib
import json
import math
import os
from collections.abc import Mapping
from typing import Any

ENV = "PMKIT_GRADING_ANSWERS"
# Generous for any lesson's answer (a 10-item list, a small table), small enough that
# a hostile notebook cannot make the grader parse or hold much.
MAX_VALUES = 20_000
MAX_DEPTH = 8
MAX_TEXT = 20_000
MAX_LINE_BYTES = 2 * 2**20
MAX_FILE_BYTES = 8 * 2**20
LINE_KEYS = frozenset({"lesson", "exercise", "seed", "answer"})
_TAGS = frozenset({"$ellipsis", "$float", "$tuple", "$set", "$dict", "$array", "$series", "$frame",
                   "$timestamp", "$date", "$result"})


# Facts a lesson shows every learner (its text prints them) that happen to sit in a truth file.
PUBLIC_TRUTH: dict[str, tuple[str, ...]] = {"sessions": ("redesign_date",)}


class Unplain(ValueError):
    """An answer that is not plain data, or is too big (the message says which)."""


class UnavailableWhileGrading(RuntimeError):
    """What a grading run does not offer the notebook (answers, the datasets' truth)."""


def active() -> bool:
    """Is this process a kernel inside a grading run?

    >>> active()
    False
    """
    return bool(os.environ.get(ENV))


def unavailable(what: str) -> UnavailableWhileGrading:
    """The error ``lesson.answer`` and ``datasets.truth`` raise in a grading run."""
    return UnavailableWhileGrading(
        f"{what} is not available while pmkit grade runs this notebook: the grader works out "
        "the expected answers itself, outside the notebook")


class HiddenTruth(Mapping):
    """What ``datasets.truth`` gives a grading kernel: the public facts; reading anything else raises.

    Taking it is fine (a cell that also does other work runs on); looking inside is not.

    >>> truth = HiddenTruth("sessions", {"redesign_date": "2025-04-01"})
    >>> truth["redesign_date"]
    '2025-04-01'
    >>> truth["effect"]  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    pmkit.exercises.capture.UnavailableWhileGrading: datasets.truth('sessions')['effect'] is not available...
    """

    def __init__(self, name: str, public: Mapping[str, Any]):
        self._name = name
        self._public = dict(public)

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str) and key in self._public:
            return self._public[key]
        raise unavailable(f"datasets.truth({self._name!r})[{key!r}]")

    def __iter__(self) -> Any:
        raise unavailable(f"datasets.truth({self._name!r})")

    def __len__(self) -> int:
        raise unavailable(f"datasets.truth({self._name!r})")

    def __repr__(self) -> str:
        return f"<the truth behind {self._name}: hidden while grading>"


def withheld(exercise: str) -> Any:
    """What an exercise's ``expected`` becomes in a grading kernel: a function that refuses."""
    def expected(*args: Any, **kwargs: Any) -> Any:
        raise unavailable(f"the expected answer to {exercise!r}")

    return expected


# ------------------------------------------------------------------ encode --


class _Budget:
    def __init__(self) -> None:
        self.left = MAX_VALUES

    def spend(self, n: int = 1) -> None:
        self.left -= n
        if self.left < 0:
            raise Unplain(f"the answer holds more than {MAX_VALUES} values")


def encode(value: Any) -> Any:
    """``value`` as JSON-ready plain data; ``Unplain`` for anything else or too big."""
    return _encode(value, _Budget(), 0)


def _encode(value: Any, budget: _Budget, depth: int) -> Any:
    import numpy as np
    import pandas as pd

    budget.spend()
    if depth > MAX_DEPTH:
        raise Unplain(f"the answer is nested more than {MAX_DEPTH} levels deep")
    if value is None or isinstance(value, bool):
        return value
    if value is ...:  # the placeholder a learner has not replaced: "not answered"
        return {"$ellipsis": None}
    if isinstance(value, np.generic):
        return _encode(value.item(), budget, depth)
    if isinstance(value, int):
        if abs(value) >= 2**63:
            raise Unplain("the answer holds a whole number too large to compare")
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"$float": repr(value)}
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise Unplain(f"the answer holds a text longer than {MAX_TEXT} characters")
        return value
    if isinstance(value, pd.Timestamp | _dt.datetime):
        return {"$timestamp": pd.Timestamp(value).isoformat()}
    if isinstance(value, _dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, pd.DataFrame):
        budget.spend(value.size)
        return {"$frame": {"columns": _encode(list(value.columns), budget, depth + 1),
                           "index": _encode(list(value.index), budget, depth + 1),
                           "rows": [_encode(list(row), budget, depth + 1)
                                    for row in value.itertuples(index=False, name=None)]}}
    if isinstance(value, pd.Series):
        budget.spend(value.size)
        return {"$series": {"name": _encode(value.name, budget, depth + 1),
                            "index": _encode(list(value.index), budget, depth + 1),
                            "values": _encode(list(value), budget, depth + 1)}}
    if isinstance(value, np.ndarray):
        budget.spend(value.size)
        return {"$array": _encode(value.tolist(), budget, depth + 1)}
    if isinstance(value, list):
        budget.spend(len(value))
        return [_encode(item, budget, depth + 1) for item in value]
    if isinstance(value, tuple):
        budget.spend(len(value))
        return {"$tuple": [_encode(item, budget, depth + 1) for item in value]}
    if isinstance(value, set | frozenset):
        budget.spend(len(value))
        return {"$set": [_encode(item, budget, depth + 1) for item in value]}
    if isinstance(value, Mapping):
        budget.spend(len(value))
        return {"$dict": [[_encode(k, budget, depth + 1), _encode(v, budget, depth + 1)]
                          for k, v in value.items()]}
    if _is_toolbox_record(type(value)):
        cls = type(value)
        fields = {f.name: _encode(getattr(value, f.name), budget, depth + 1)
                  for f in dataclasses.fields(value) if f.init}
        return {"$result": {"type": f"{cls.__module__}.{cls.__qualname__}", "fields": fields}}
    raise Unplain(f"a {type(value).__name__} is not plain data (numbers, text, lists, tables)")


def _is_toolbox_record(cls: type) -> bool:
    """A frozen dataclass of the learner's toolbox (``pmkit.customer.PRFAQ``...), not the machinery's."""
    module = getattr(cls, "__module__", "")
    params = getattr(cls, "__dataclass_params__", None)
    return (dataclasses.is_dataclass(cls) and params is not None and params.frozen
            and module.startswith("pmkit.") and not module.startswith(("pmkit.course", "pmkit.exercises")))


# ------------------------------------------------------------------ decode --


def decode(data: Any) -> Any:
    """Plain data back into the values a grader compares; ``Unplain`` for anything unexpected."""
    return _decode(data, _Budget(), 0)


def _decode(data: Any, budget: _Budget, depth: int) -> Any:
    budget.spend()
    if depth > MAX_DEPTH + 2:
        raise Unplain(f"the answer is nested more than {MAX_DEPTH} levels deep")
    if data is None or isinstance(data, bool | int | float):
        return data
    if isinstance(data, str):
        if len(data) > MAX_TEXT:
            raise Unplain(f"the answer holds a text longer than {MAX_TEXT} characters")
        return data
    if isinstance(data, list):
        budget.spend(len(data))
        return [_decode(item, budget, depth + 1) for item in data]
    if not isinstance(data, dict) or len(data) != 1 or next(iter(data)) not in _TAGS:
        raise Unplain("the answer holds an object the grader does not know")
    (tag, body), = data.items()
    return _decode_tagged(tag, body, budget, depth)


def _decode_tagged(tag: str, body: Any, budget: _Budget, depth: int) -> Any:
    import numpy as np
    import pandas as pd

    def items(value: Any) -> list[Any]:
        if not isinstance(value, list):
            raise Unplain(f"a {tag} answer should hold a list")
        return [_decode(v, budget, depth + 1) for v in value]

    if tag == "$ellipsis":
        if body is not None:
            raise Unplain("a placeholder answer holds nothing")
        return ...
    if tag == "$float":
        if body not in ("nan", "inf", "-inf"):
            raise Unplain("a non-finite number should be nan, inf or -inf")
        return float(body)
    if tag == "$tuple":
        return tuple(items(body))
    if tag == "$set":
        try:
            return set(items(body))
        except TypeError:
            raise Unplain("a set answer holds something that cannot be in a set") from None
    if tag == "$dict":
        pairs = items(body)
        if not all(isinstance(p, list) and len(p) == 2 for p in pairs):
            raise Unplain("a dict answer should be a list of [key, value] pairs")
        try:
            return {k: v for k, v in pairs}
        except TypeError:
            raise Unplain("a dict answer has a key that cannot be a key") from None
    if tag == "$array":
        try:
            return np.asarray(items(body))
        except ValueError as exc:
            raise Unplain(f"an array answer is ragged ({exc})") from None
    if tag in ("$timestamp", "$date"):
        if not isinstance(body, str) or len(body) > 64:
            raise Unplain("a date answer should be ISO text")
        try:
            stamp = pd.Timestamp(body)
        except ValueError:
            raise Unplain("a date answer is not a valid date") from None
        return stamp if tag == "$timestamp" else stamp.date()
    if not isinstance(body, dict):
        raise Unplain(f"a {tag} answer should hold an object")
    if tag == "$series" and set(body) == {"name", "index", "values"}:
        index, values = items(body["index"]), items(body["values"])
        if len(index) != len(values):
            raise Unplain("a Series answer has as many labels as values")
        return pd.Series(values, index=pd.Index(index, tupleize_cols=False), name=_name(body["name"]))
    if tag == "$frame" and set(body) == {"columns", "index", "rows"}:
        columns, index, rows = items(body["columns"]), items(body["index"]), items(body["rows"])
        if len(rows) != len(index) or not all(isinstance(r, list) and len(r) == len(columns) for r in rows):
            raise Unplain("a DataFrame answer has rows of the wrong length")
        return pd.DataFrame(rows, columns=pd.Index(columns, tupleize_cols=False),
                            index=pd.Index(index, tupleize_cols=False))
    if tag == "$result" and set(body) == {"type", "fields"}:
        return _record(body["type"], body["fields"], budget, depth)
    raise Unplain(f"a {tag} answer has the wrong fields")


def _name(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float):
        return value
    raise Unplain("a Series answer's name should be text or a number")


def _record(path: Any, fields: Any, budget: _Budget, depth: int) -> Any:
    """Rebuild a toolbox record; only frozen dataclasses of pmkit's learner modules qualify."""
    if not isinstance(path, str) or not isinstance(fields, dict) or "." not in path:
        raise Unplain("a record answer should name its type and fields")
    module_name, _, name = path.rpartition(".")
    if not module_name.startswith("pmkit.") or module_name.startswith(("pmkit.course", "pmkit.exercises")):
        raise Unplain(f"{path} is not a pmkit record")
    try:
        cls = getattr(importlib.import_module(module_name), name)
    except (ImportError, AttributeError, ValueError):
        raise Unplain(f"{path} is not a pmkit record") from None
    if not isinstance(cls, type) or not _is_toolbox_record(cls):
        raise Unplain(f"{path} is not a pmkit record")
    allowed = {f.name for f in dataclasses.fields(cls) if f.init}
    if not set(fields) <= allowed:
        raise Unplain(f"a {name} answer has fields {name} does not have")
    values = {k: _decode(v, budget, depth + 1) for k, v in fields.items()}
    try:
        return cls(**values)
    except Exception as exc:  # the record's own checks refused the values
        raise Unplain(f"a {name} answer could not be rebuilt ({type(exc).__name__})") from None


# ------------------------------------------------------------------ record --


def record(lesson: str, exercise: Any, answer: Any, seed: int | None) -> str:
    """Append one answer to the grading run's answers file; the sentence ``check`` shows.

    An answer that is not plain data is recorded as unreadable, so the grader can say so.
    """
    path = os.environ.get(ENV)
    if not path:
        raise RuntimeError("record() is only for grading runs")
    if not isinstance(exercise, str) or len(exercise) > 100:
        return "This exercise name cannot be recorded."
    try:
        encoded = encode(answer)
    except Unplain as exc:
        encoded, said = {"$unreadable": str(exc)[:300]}, f"Recorded as unreadable: {exc}."
    else:
        said = "Answer recorded; the grader checks it outside this notebook."
    if answer is ...:
        said = "Not answered yet: replace the ... with your answer."
    line = json.dumps({"lesson": lesson, "exercise": exercise, "seed": seed, "answer": encoded},
                      allow_nan=False, separators=(",", ":"))
    if len(line.encode()) > MAX_LINE_BYTES:
        line = json.dumps({"lesson": lesson, "exercise": exercise, "seed": seed,
                           "answer": {"$unreadable": "the answer is too large"}})
        said = "Recorded as unreadable: the answer is too large."
    try:
        with open(path, "a", encoding="utf-8") as log:
            log.write(line + "\n")
    except OSError as exc:  # a check never raises; the grader will find the answer missing
        return f"Could not record the answer ({exc.strerror})."
    return said


@dataclasses.dataclass(frozen=True)
class Answers:
    """What an answers file says: the last answer per exercise, and what else it shows."""

    values: dict[str, Any]
    unreadable: dict[str, str]
    seeds: frozenset[int | None]
    lessons: frozenset[str]


def read_answers(data: bytes, lesson: str) -> Answers:
    """Parse an answers file for ``lesson``; the LAST answer to each exercise counts.

    ``ValueError`` when the file as a whole is damaged: that voids the submission's row.
    Lines for another lesson are left out; ``lessons`` says which lessons the notebook checked.

    >>> line = b'{"lesson": "00_welcome", "exercise": "late_share", "seed": 42, "answer": 0.5}\\n'
    >>> read_answers(line + line.replace(b"0.5", b"0.25"), "00_welcome").values
    {'late_share': 0.25}
    """
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"the answers file is larger than {MAX_FILE_BYTES // 2**20} MB")
    answers: dict[str, Any] = {}
    unreadable: dict[str, str] = {}
    seeds: set[int | None] = set()
    lessons: set[str] = set()
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw:
            continue
        entry = _strict_line(raw, number)
        lessons.add(entry["lesson"][:100])
        if entry["lesson"] != lesson:
            continue
        name = entry["exercise"]
        seeds.add(entry["seed"])
        answer = entry["answer"]
        if isinstance(answer, dict) and set(answer) == {"$unreadable"}:
            answers.pop(name, None)
            unreadable[name] = str(answer["$unreadable"])[:300]
            continue
        try:
            answers[name] = decode(answer)
            unreadable.pop(name, None)
        except Unplain as exc:
            answers.pop(name, None)
            unreadable[name] = str(exc)
    return Answers(answers, unreadable, frozenset(seeds), frozenset(lessons))


def _strict_line(raw: bytes, number: int) -> dict[str, Any]:
    def no_constants(token: str) -> Any:
        raise ValueError(f"{token} is not JSON")

    if len(raw) > MAX_LINE_BYTES:
        raise ValueError(f"line {number} of the answers file is too long")
    try:
        entry = json.loads(raw.decode("utf-8"), parse_constant=no_constants)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        why = type(exc).__name__
        raise ValueError(f"line {number} of the answers file is not valid JSON ({why})") from None
    if not isinstance(entry, dict) or set(entry) != LINE_KEYS:
        raise ValueError(f"line {number} of the answers file does not have the fields of an answer")
    seed = entry["seed"]
    if not (isinstance(entry["lesson"], str) and isinstance(entry["exercise"], str)
            and (seed is None or (isinstance(seed, int) and not isinstance(seed, bool)))):
        raise ValueError(f"line {number} of the answers file has fields of the wrong type")
    return entry
