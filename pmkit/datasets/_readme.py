"""The text of ``datasets/README.md``: the story, how to use the files, and a data dictionary
built from the schema (so the dictionary can never drift from the data)."""

from __future__ import annotations

from pmkit.datasets import cast
from pmkit.datasets.schema import TABLES

_INTRO = """\
# Basketly datasets

Basketly is the course's fictional online marketplace: customers in five regions buy
from a catalogue of 400 products in eight categories, some join the paid *Basketly Plus*
membership, write reviews, answer surveys, contact support and take part in A/B tests.
Everything here is synthetic and made by `pmkit.datasets`, with the true parameters
known, so every lesson can end by revealing what was really going on.

## Using the data

```python
import pmkit.datasets as ds
orders = ds.load("orders")                 # the committed file, checked against the schema
mine = ds.load("orders", seed=7)           # another learner's or team's own version
ds.truth("experiments")["homepage_video"]  # the hidden truth behind a table
ds.describe("orders")                      # this data dictionary, as a table
```

```
pmkit datasets generate                                      # rewrite these files, identically
pmkit datasets generate --seed N [--scale K] --out DIR       # another version, elsewhere
pmkit datasets verify [DIR]                                  # name edited/truncated/missing files
```

The default run (seed 42, scale 1) reproduces these files byte for byte. Never edit them:
`pmkit datasets verify` names any changed file and says how to restore it. Dates are
`YYYY-MM-DD`, booleans are `0`/`1`, an empty cell is a missing value, and `load` returns
dates as `datetime64` and text as strings.

## What is really going on (the truth files)

Each table has `truth/<table>.json`, written by the same code that made the data:

- **customers, orders, order_lines**: signups grow over 2023–2025; a share of customers
  are loyal and the rest lapse after a few months (retention flattens); orders favour
  Sunday and Monday; members order 1.45× as often; prices are lognormal so order values
  are heavy-tailed; each region has its own late-delivery rate, higher in the holiday peak.
- **reviews**: seven pain-point themes with known frequency, anger and star cost; the
  truth ranks them by impact and gives a regular expression that finds each one.
- **nps**: each late delivery a customer had costs 1.3 points; membership adds 0.7.
- **tickets**: topic mix, resolution-time distribution and reopen rate per topic; late
  orders cause "where is my order" tickets.
- **sessions**: a checkout redesign raised conversion within every traffic source, while a
  social campaign shifted the mix so overall conversion fell (Simpson's paradox).
- **kano**: the true Kano category of each candidate feature.
- **experiments**: per test the primary metric, guardrails, true effect, its sign, the
  planted problem (none, sample-ratio mismatch, novelty, guardrail loss, ratio metric)
  and the right decision.
- **backlog**: the value each item would really deliver and the five best by value per effort.
- **throughput, work_items**: each team's true weekly rate (larger teams add less per
  person), the rate's parameters and cycle-time distribution.
- **membership**: the churn hazard by tenure month and the order-frequency uplift.
- **bets**: each bet's expected value as pitched, its true chance (pitches are optimistic;
  the three logistics bets share the delivery network and fail together without it), and
  one drawn outcome.
- **purchases, products**: the hidden taste cluster of every product; baskets mix products
  from one cluster, which item-to-item recommendations should rediscover.

## Realism that the tests check

Heavy-tailed order values (skew > 2.5; the top 1 % of orders carry over 7 % of sales),
weekly seasonality in orders and sessions, J-shaped star ratings (many 5s, a bump at 1),
retention curves that flatten, weeks with zero throughput, order lines that add up to
orders, and members who never pay for shipping.

## Scale and file format

`--scale K` multiplies customers (and so orders, order lines, reviews, NPS answers,
tickets and purchases) and sessions by K; the survey, experiment, backlog, team,
membership and bet tables keep their size. At scale 1 the files are CSV: small, readable
in any tool and easy to diff. Above scale 1 they are uncompressed NumPy `.npz` files,
one raw binary array per column (text as integer codes plus labels): at 10 million rows
and more, formatting and parsing text is what costs time, while binary columns are
written and read at disk speed with no extra dependency (Parquet would need pyarrow).
"""


def text(seed: int, scale: int, rows: dict[str, int], fmt: str = "csv") -> str:
    intro = _INTRO.replace("## Using the data", f"{cast.markdown()}\n\n## Using the data", 1)
    lines = [
        intro,
        "## Tables",
        "",
        f"These files: seed {seed}, scale {scale}, format {fmt}.",
        "",
        "| table | rows | one row is |",
        "|---|---:|---|",
    ]
    lines += [f"| [{t.name}](#{t.name}) | {rows.get(t.name, 0):,} | {t.row} |"
              for t in TABLES.values()]
    for table in TABLES.values():
        lines += ["", f"### {table.name}", "", table.description, "",
                  f"File `{table.name}.{fmt}`; hidden truth in `truth/{table.name}.json`. "
                  + ("Grows with `--scale`." if table.scales else "Same size at every scale."),
                  "", "| column | type | unit | meaning | valid range |", "|---|---|---|---|---|"]
        lines += [f"| {c.name} | {c.kind} | {c.unit} | {c.meaning} | {c.valid_range()} |"
                  for c in table.columns]
    return "\n".join(lines) + "\n"
