"""Basketly's people: one cast for every lesson, so a name always means the same person.

Lessons name only these people (customers stay anonymous: "a shopper in the West since
2023"); ``datasets/README.md`` lists them and ``tests/test_cast.py`` checks every lesson
against this list.

>>> role_of("Ren")
'checkout product manager'
>>> [person.name for person in CAST][:3]
['Jonas', 'Dana', 'Priya']
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Person:
    """One member of Basketly's product organisation."""

    name: str
    role: str
    owns: str  # what they are accountable for, in a phrase


CAST: tuple[Person, ...] = (
    Person("Jonas", "head of product", "the product organisation and its portfolio of bets"),
    Person("Dana", "delivery product manager", "the delivery promise and late orders"),
    Person("Priya", "customer-experience product manager", "the voice of the customer and PR/FAQs"),
    Person("Ren", "checkout product manager", "checkout, its funnel and its A/B tests"),
    Person("Sam", "growth product manager", "sign-ups, campaigns and the home page"),
    Person("Leo", "personalisation product manager", "recommendations and the personalised feed"),
    Person("Kai", "experimentation analyst", "the experiment platform and test audits"),
    Person("Amara", "engineering manager", "the fulfilment software teams and their flow"),
    Person("Mei", "Basketly Plus product manager", "the membership, its fee and its value"),
)


def role_of(name: str) -> str:
    """The role of the cast member called ``name``; a clear error for anyone else."""
    for person in CAST:
        if person.name == name:
            return person.role
    raise ValueError(f"{name!r} is not in Basketly's cast; the cast is: "
                     f"{', '.join(p.name for p in CAST)}")


def markdown() -> str:
    """The cast as the Markdown table ``datasets/README.md`` shows."""
    rows = [f"| {p.name} | {p.role} | {p.owns} |" for p in CAST]
    return "\n".join([
        "## The cast",
        "",
        "The same people appear in every lesson, always in the same role. Customers are",
        "never named: lessons quote them by region and tenure.",
        "",
        "| name | role | accountable for |",
        "|---|---|---|",
        *rows,
    ])
