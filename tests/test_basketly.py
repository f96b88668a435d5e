"""One Basketly: the tables agree with each other (issue 18, "One Basketly").

The membership table is built from the customers and orders tables; these tests
recompute its rows independently with pandas and check the identities a reader
would check by hand: members are customers, nobody joins before signing up, and
the members' orders in the membership table are the orders in the order book.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pmkit import datasets as ds

ROOT = Path(__file__).resolve().parents[1]
DAYS_PER_MONTH = 30.44
SEEDS = (42, 7)


@pytest.fixture(scope="module", params=SEEDS)
def tables(request):
    seed = request.param
    return {name: ds.load(name, seed=seed) for name in ("customers", "orders", "membership")}


def _members(customers: pd.DataFrame) -> pd.DataFrame:
    return customers.dropna(subset=["member_since"]).copy()


def test_members_are_customers_who_joined_after_signing_up(tables) -> None:
    customers, members = tables["customers"], _members(tables["customers"])
    assert set(members.customer_id) <= set(customers.customer_id)
    assert (members.member_since >= members.signup_date).all()
    assert members.member_since.min() >= pd.Timestamp("2023-01-01")
    assert members.member_since.max() <= pd.Timestamp("2025-12-31")
    ended = members.dropna(subset=["member_until"])
    assert (ended.member_until > ended.member_since).all()
    # Every cohort in the membership table is a month in which customers joined.
    joined = members.member_since.dt.to_period("M").value_counts()
    table = tables["membership"]
    first = table[table.tenure_month == 0].set_index(table.cohort.dt.to_period("M")[
        table.tenure_month == 0])
    assert (first.members == joined.reindex(first.index)).all()
    assert first.members.sum() <= len(members)


def _expected_rows(customers: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
    """The membership triangle recomputed from customers and orders, one member at a time."""
    members = _members(customers)
    end = pd.Timestamp("2025-12-31")
    since = members.member_since
    length = (members.member_until - since).dt.days.fillna(10**9).astype(np.int64)
    cohort = since.dt.to_period("M")
    last_join = cohort.dt.end_time.dt.normalize()
    member_orders = orders[orders.is_member].merge(
        members[["customer_id", "member_since"]], on="customer_id")
    age = (member_orders.order_date - member_orders.member_since).dt.days.to_numpy()
    edges = np.round(np.arange(41) * DAYS_PER_MONTH).astype(np.int64)
    member_orders["k"] = np.searchsorted(edges, age, side="right") - 1
    counts = member_orders.groupby(["customer_id", "k"]).size()
    rows = []
    frame = pd.DataFrame({"id": members.customer_id.to_numpy(), "cohort": cohort.to_numpy(),
                          "length": length.to_numpy(), "last_join": last_join.to_numpy()})
    for c, group in frame.groupby("cohort"):
        k = 0
        while (group.last_join.iloc[0] + pd.Timedelta(days=int(edges[k + 1]))) <= end + \
                pd.Timedelta(days=1):
            active = group[group.length > edges[k]]
            if active.empty:
                break
            n_orders = int(counts.reindex(pd.MultiIndex.from_arrays(
                [active.id, np.full(len(active), k)])).fillna(0).sum())
            rows.append((c, k, len(active), int((active.length <= edges[k + 1]).sum()),
                         n_orders))
            k += 1
    return pd.DataFrame(rows, columns=["cohort", "tenure_month", "members", "churned",
                                       "orders"])


def test_membership_rows_are_recomputed_from_customers_and_orders(tables) -> None:
    expected = _expected_rows(tables["customers"], tables["orders"])
    table = tables["membership"].assign(cohort=lambda t: t.cohort.dt.to_period("M"))
    got = table[["cohort", "tenure_month", "members", "churned", "orders"]]
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected, check_dtype=False)


def test_members_orders_agree_with_the_order_book(tables) -> None:
    table, orders, customers = tables["membership"], tables["orders"], tables["customers"]
    assert (table.orders_per_member.round(4) == (table.orders / table.members).round(4)).all()
    # Member orders in the table never exceed the order book's member orders, and the rows
    # of cohorts watched to the end of their data hold most of them.
    assert table.orders.sum() <= int(orders.is_member.sum())
    assert table.orders.sum() > 0.5 * orders.is_member.sum()
    # Only members place member orders, and only while they are members.
    member_ids = set(_members(customers).customer_id)
    assert set(orders.customer_id[orders.is_member]) <= member_ids
    # Members at the start of a month are those who stayed the month before.
    for _, cohort in table.groupby("cohort"):
        n, d = cohort.members.to_numpy(), cohort.churned.to_numpy()
        assert (n[1:] == n[:-1] - d[:-1]).all()


def test_fee_follows_the_calendar_and_the_truth(tables) -> None:
    table = tables["membership"]
    truth = ds.truth("membership")
    month = table.cohort.dt.to_period("M") + table.tenure_month
    change = pd.Period(truth["fee_change"]["month"], "M")
    assert (table.fee[month >= change] == truth["fee_change"]["after"]).all()
    assert (table.fee[month < change] == truth["fee_change"]["before"]).all()


def test_the_customer_count_quoted_is_the_table() -> None:
    customers = ds.load("customers")
    readme = (ROOT / "datasets" / "README.md").read_text()
    row = re.search(r"\| \[customers\]\(#customers\) \| ([\d,]+) \|", readme)
    assert row and int(row.group(1).replace(",", "")) == len(customers)
    members = int(customers.member_since.notna().sum())
    for path in sorted((ROOT / "solutions").glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] != "markdown":
                continue
            text = "".join(cell["source"])
            for number in re.findall(r"\b(\d{1,3}(?:,\d{3})+|\d{4,})\s+customers\b", text):
                assert int(number.replace(",", "")) == len(customers), (path.name, number)
            for number in re.findall(r"\b(\d{1,3}(?:,\d{3})+|\d{4,})\s+(?:Plus )?members\b", text):
                assert int(number.replace(",", "")) == members, (path.name, number)


def test_who_joins_before_and_after_the_fee_change_follows_the_truth(tables) -> None:
    """The truth says the fee did not change who joins: each period's mix is the population's."""
    truth = ds.truth("membership")["fee_change"]
    members = _members(tables["customers"])
    after = members.member_since >= pd.Timestamp(truth["month"])
    for period, mask, key in (("before", ~after, "joiner_segment_share_before"),
                              ("after", after, "joiner_segment_share_after")):
        share = members[mask].segment.value_counts(normalize=True)
        n = int(mask.sum())
        for segment, p in truth[key].items():
            se = (p * (1 - p) / n) ** 0.5
            assert abs(share.get(segment, 0.0) - p) < 4 * se, (period, segment)
