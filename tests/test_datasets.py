"""Tests for pmkit.datasets: files, loader, CLI, realism, and that the truth matches the data."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import pmkit.datasets as ds
from pmkit.course.datasets_command import main
from pmkit.datasets import _build, files
from pmkit.datasets.schema import KINDS, TABLES
from pmkit.paths import datasets_dir

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def fresh_default(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A regeneration of the default seed into a temporary folder."""
    out = tmp_path_factory.mktemp("default")
    ds.generate(out)
    return out


@pytest.fixture(scope="module")
def default_build() -> _build.Build:
    """The default seed generated in memory, shared by the tests that compare with it."""
    return _build.Build(ds.DEFAULT_SEED, 1)


@pytest.fixture
def copy_of_datasets(tmp_path: Path) -> Path:
    folder = tmp_path / "datasets"
    shutil.copytree(datasets_dir(), folder)
    return folder


# --- API, schema and committed files -----------------------------------------------------------

def test_names_match_the_schema_and_the_contract() -> None:
    required = {"customers", "orders", "order_lines", "products", "reviews", "nps", "tickets",
                "sessions", "kano", "experiments", "backlog", "throughput", "work_items",
                "membership", "bets", "purchases"}
    assert set(ds.names()) == set(TABLES) >= required
    assert ds.DEFAULT_SEED == 42


@pytest.mark.parametrize("name", list(TABLES))
def test_committed_table_loads_with_documented_columns_and_dtypes(name: str) -> None:
    frame = ds.load(name)
    table = TABLES[name]
    assert tuple(frame.columns) == table.column_names
    assert len(frame) > 0
    for col in table.columns:
        dtype = frame[col.name].dtype
        if col.kind == "date":
            assert str(dtype) == KINDS["date"], col.name
        elif col.kind == "str":
            assert pd.api.types.is_string_dtype(dtype), col.name
            if col.values:
                assert set(frame[col.name].dropna()) <= set(col.values), col.name
        else:
            assert str(dtype) == KINDS[col.kind], col.name
        if not col.nullable:
            assert not frame[col.name].isna().any(), col.name


@pytest.mark.parametrize("name", list(TABLES))
def test_committed_file_equals_what_the_generator_makes(name: str,
                                                       default_build: _build.Build) -> None:
    """CSV round trip is exact: the file read back equals the frame in memory."""
    pd.testing.assert_frame_equal(ds.load(name), default_build.public(name))


def test_committed_truth_equals_generator_truth(default_build: _build.Build) -> None:
    work = default_build
    for name in ds.names():
        truth = ds.truth(name)
        assert truth == json.loads(json.dumps(work.truth(name)))
        assert isinstance(truth, dict) and truth


def test_truth_has_the_same_shape_for_every_seed() -> None:
    committed, generated = ds.truth("bets"), ds.truth("bets", seed=5)
    assert set(committed["expected_value"]) == set(generated["expected_value"]) == {
        str(i) for i in ds.load("bets").bet_id}
    generated["expected_value"].clear()  # a caller's edit does not leak into the cache
    assert ds.truth("bets", seed=5)["expected_value"]


def _data_files(folder: Path) -> list[Path]:
    """Every file generate writes (dotfiles such as .gitattributes are not data)."""
    return sorted(p.relative_to(folder) for p in folder.rglob("*")
                  if p.is_file() and not p.name.startswith("."))


def test_default_regeneration_is_byte_identical(fresh_default: Path) -> None:
    committed = _data_files(datasets_dir())
    fresh = _data_files(fresh_default)
    assert committed == fresh
    for rel in committed:
        assert (datasets_dir() / rel).read_bytes() == (fresh_default / rel).read_bytes(), rel


@pytest.mark.parametrize("seed", [0, 2**40 + 3])
def test_every_seed_makes_files_that_pass_the_schema(seed: int, tmp_path: Path) -> None:
    """Any seed gives values inside every documented range (read_table checks them all)."""
    ds.generate(tmp_path, seed=seed)
    for name in ds.names():
        pd.testing.assert_frame_equal(files.read_table(name, tmp_path), ds.load(name, seed=seed))
    assert ds.verify(tmp_path) == []


def test_same_seed_twice_is_identical_and_seeds_differ() -> None:
    one, two, other = _build.Build(7, 1), _build.Build(7, 1), _build.Build(8, 1)
    for name in ("orders", "reviews", "experiments", "sessions", "kano"):
        pd.testing.assert_frame_equal(one.public(name), two.public(name))
        assert one.truth(name) == two.truth(name)
    assert not one.table("orders").equals(other.table("orders"))


def test_a_table_alone_equals_the_table_made_with_all_the_others() -> None:
    alone = _build.Build(5, 1).public("tickets")
    full = _build.Build(5, 1)
    for name in ds.names():
        full.table(name)
    pd.testing.assert_frame_equal(alone, full.public("tickets"))


def test_other_seed_is_generated_cached_and_loaded_as_a_copy() -> None:
    first = ds.load("orders", seed=11)
    first.loc[0, "order_value"] = -1.0
    again = ds.load("orders", seed=11)
    assert again.loc[0, "order_value"] >= 0
    assert not again.equals(ds.load("orders"))
    default = ds.load("orders")
    default.loc[0, "order_value"] = -1.0
    assert ds.load("orders").loc[0, "order_value"] >= 0


def test_scale_multiplies_the_population() -> None:
    one = ds.load("customers", seed=3)
    two = ds.load("customers", seed=3, scale=2)
    assert len(two) == 2 * len(one)
    assert len(ds.load("kano", seed=3, scale=2)) == len(ds.load("kano", seed=3))


def test_schema_file_and_readme_document_every_column() -> None:
    schema = json.loads((datasets_dir() / "schema.json").read_text())
    readme = (datasets_dir() / "README.md").read_text()
    assert [t["name"] for t in schema["tables"]] == list(TABLES)
    for table in schema["tables"]:
        assert f"### {table['name']}" in readme
        for col in table["columns"]:
            assert col["meaning"] and col["type"] in KINDS
            assert f"| {col['name']} | {col['type']} |" in readme


def test_git_keeps_the_files_byte_exact() -> None:
    rules = (datasets_dir() / ".gitattributes").read_text().splitlines()
    assert "* -text" in rules


def test_committed_folder_is_small() -> None:
    size = sum(p.stat().st_size for p in datasets_dir().rglob("*") if p.is_file())
    assert size <= 20 * 1024 * 1024


def test_describe_lists_columns() -> None:
    table = ds.describe("sessions")
    assert table["column"].tolist() == list(TABLES["sessions"].column_names)
    assert set(table.columns) == {"column", "type", "unit", "meaning", "valid range"}


def test_import_stays_light() -> None:
    code = ("import sys, pmkit.datasets, pmkit.datasets.schema; "
            "print(any(m in sys.modules for m in ('matplotlib', 'scipy', 'ipywidgets')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"


def test_loader_works_from_any_working_directory(tmp_path: Path) -> None:
    code = "import pmkit.datasets as d; print(len(d.load('backlog')))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=tmp_path, check=True)
    assert int(result.stdout) == len(ds.load("backlog"))


# --- bad input ---------------------------------------------------------------------------------

def test_unknown_name_lists_the_valid_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown dataset 'order'.*customers.*purchases"):
        ds.load("order")
    with pytest.raises(ValueError, match="valid names"):
        ds.truth("nope")
    with pytest.raises(TypeError, match="string"):
        ds.load(3)  # type: ignore[arg-type]


@pytest.mark.parametrize(("seed", "scale", "error", "message"), [
    (1.5, 1, TypeError, "seed"), ("7", 1, TypeError, "seed"), (True, 1, TypeError, "seed"),
    (-1, 1, ValueError, "seed"), (None, 0, ValueError, "scale"), (None, -3, ValueError, "scale"),
    (None, 2.5, TypeError, "scale"), (None, 10_000, ValueError, "scale"),
])
def test_bad_seed_or_scale_is_refused(seed: object, scale: object, error: type,
                                      message: str) -> None:
    with pytest.raises(error, match=message):
        ds.load("orders", seed=seed, scale=scale)  # type: ignore[arg-type]


def _edit_csv(path: Path, column: str, value: str, row: int = 0) -> None:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[row, column] = value
    frame.to_csv(path, index=False)


@pytest.mark.parametrize(("column", "value", "problem"), [
    ("segment", "vip", "'vip' is not one of"),
    ("signup_date", "31/12/2024", "not a YYYY-MM-DD date"),
    ("signup_date", "2031-01-01", "after 2025-12-31"),
    ("customer_id", "abc", "not a number"),
    ("customer_id", "1.5", "whole numbers"),
    ("customer_id", "-4", "below the minimum"),
    ("is_member", "2", "0 or 1"),
    ("region", "", "empty value"),
])
def test_loader_names_file_column_and_problem(copy_of_datasets: Path, column: str, value: str,
                                              problem: str) -> None:
    path = copy_of_datasets / "customers.csv"
    _edit_csv(path, column, value)
    with pytest.raises(ValueError) as info:
        files.read_table("customers", copy_of_datasets)
    text = str(info.value)
    assert "datasets/customers.csv" in text and repr(column) in text and problem in text


def test_loader_names_missing_columns_and_lists_those_present(copy_of_datasets: Path) -> None:
    path = copy_of_datasets / "orders.csv"
    pd.read_csv(path).drop(columns=["order_value"]).to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"orders.csv is missing column\(s\) 'order_value'; "
                                         r"columns present: order_id, customer_id"):
        files.read_table("orders", copy_of_datasets)


def test_loader_reports_missing_and_garbled_files(copy_of_datasets: Path) -> None:
    (copy_of_datasets / "nps.csv").unlink()
    with pytest.raises(ValueError, match=r"nps\.csv is missing; restore it"):
        files.read_table("nps", copy_of_datasets)
    (copy_of_datasets / "bets.csv").write_bytes(b"")
    with pytest.raises(ValueError, match=r"bets\.csv cannot be read as CSV"):
        files.read_table("bets", copy_of_datasets)
    (copy_of_datasets / "truth" / "bets.json").write_text("{not json")
    with pytest.raises(ValueError, match=r"truth/bets\.json is not valid JSON"):
        files.read_truth("bets", copy_of_datasets)


# --- verify ------------------------------------------------------------------------------------

def test_verify_passes_on_committed_and_fresh_folders(fresh_default: Path) -> None:
    assert ds.verify() == []
    assert ds.verify(fresh_default) == []


def test_verify_names_edited_truncated_missing_and_unexpected_files(
        copy_of_datasets: Path) -> None:
    orders = copy_of_datasets / "orders.csv"
    text = orders.read_text()
    orders.write_text(text.replace("\n1,", "\n9,", 1))  # same size, different content
    lines = copy_of_datasets / "order_lines.csv"
    lines.write_bytes(lines.read_bytes()[:1000])
    (copy_of_datasets / "truth" / "kano.json").unlink()
    (copy_of_datasets / "notes.csv").write_text("a\n1\n")
    problems = ds.verify(copy_of_datasets)
    assert len(problems) == 4
    joined = "\n".join(problems)
    assert re.search(r"^orders.csv was edited", joined, re.M)
    assert re.search(r"^order_lines.csv is truncated \(1,000 of", joined, re.M)
    assert re.search(r"^truth/kano.json is missing", joined, re.M)
    assert re.search(r"^notes.csv is not part of the datasets", joined, re.M)
    assert all("pmkit datasets generate" in p or "remove it" in p for p in problems)


def test_verify_without_manifest_says_so(tmp_path: Path) -> None:
    problems = ds.verify(tmp_path)
    assert len(problems) == 1 and "MANIFEST.json is missing" in problems[0]
    assert "is not a folder" in ds.verify(tmp_path / "nowhere")[0]


def test_restore_hint_repeats_seed_and_folder(tmp_path: Path) -> None:
    ds.generate(tmp_path, seed=9)
    (tmp_path / "kano.csv").unlink()
    (problem,) = ds.verify(tmp_path)
    assert f"pmkit datasets generate --out {tmp_path} --seed 9" in problem


# --- writing safely ----------------------------------------------------------------------------

def test_csv_writer_quotes_awkward_text_and_round_trips(tmp_path: Path) -> None:
    table = TABLES["nps"]
    frame = pd.DataFrame({
        "response_id": [1, 2, 3, 4],
        "customer_id": [5, 6, 7, 8],
        "date": pd.to_datetime(["2024-01-02", "2024-02-03", "2024-03-04", "2024-04-05"]).astype(
            "datetime64[s]"),
        "score": [0, 10, 7, 9],
        "comment": pd.array(['say "hi", then leave', "two\nlines", None, "plain"], dtype="str"),
    })
    path = tmp_path / "nps.csv"
    files.write_table(frame, path, table)
    assert path.read_text().splitlines()[1] == '1,5,2024-01-02,0,"say ""hi"", then leave"'
    pd.testing.assert_frame_equal(files.read_csv(path, table), frame)


def test_a_failed_write_leaves_no_partial_file(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(frame: pd.DataFrame, table: object, stream: object) -> None:
        stream.write("order_id,customer_id\n1,")  # type: ignore[attr-defined]
        raise OSError("disk full")

    monkeypatch.setattr(files, "_write_csv", explode)
    with pytest.raises(OSError, match="disk full"):
        ds.generate(tmp_path, seed=4)
    leftovers = [p.name for p in tmp_path.rglob("*") if p.is_file()]
    assert leftovers == []


def test_other_seeds_never_overwrite_the_committed_files() -> None:
    for kwargs in ({"seed": 7}, {"scale": 2}, {"fmt": "npz"}):
        with pytest.raises(ValueError, match="pass an output folder"):
            ds.generate(**kwargs)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="pass an output folder"):
            ds.generate(datasets_dir(), **kwargs)  # type: ignore[arg-type]
    assert ds.verify() == []


def test_generate_refuses_a_file_as_output_folder(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("x")
    with pytest.raises(ValueError, match="is a file, not a folder"):
        ds.generate(target, seed=1)
    with pytest.raises(ValueError, match="cannot write to output folder"):
        ds.generate(target / "sub", seed=1)
    with pytest.raises(TypeError, match="folder path"):
        ds.generate(3, seed=1)  # type: ignore[arg-type]


# --- command line ------------------------------------------------------------------------------

@pytest.mark.parametrize("argv", [
    ["generate", "--seed", "abc"],
    ["generate", "--seed", "1.5"],
    ["generate", "--scale", "-2"],
    ["generate", "--scale", "0"],
    ["generate", "--seed", "-1"],
    ["generate", "--format", "xlsx"],
    ["frobnicate"],
    [],
])
def test_cli_bad_input_prints_one_line_and_fails(argv: list[str],
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    code = main(argv)
    out, err = capsys.readouterr()
    assert code != 0
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and "error" in err
    assert "Traceback" not in err


def test_cli_unwritable_output_is_one_line(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["generate", "--out", str(blocker / "sub")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "cannot write to output folder" in err


def test_cli_generate_then_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--seed", "5", "--out", str(tmp_path)]) == 0
    assert "wrote" in capsys.readouterr().out
    assert main(["verify", str(tmp_path)]) == 0
    (tmp_path / "bets.csv").write_text("broken\n")
    assert main(["verify", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("bets.csv is truncated") or err.startswith("bets.csv was edited")


def test_big_scales_write_binary_columns_that_read_back_exactly(tmp_path: Path) -> None:
    assert main(["generate", "--seed", "3", "--scale", "2", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "order_lines.npz").is_file() and not (tmp_path / "orders.csv").exists()
    assert ds.verify(tmp_path) == []
    for name in ("customers", "reviews", "nps", "sessions"):
        pd.testing.assert_frame_equal(files.read_table(name, tmp_path),
                                      ds.load(name, seed=3, scale=2))
    (tmp_path / "nps.npz").write_bytes((tmp_path / "nps.npz").read_bytes()[:-10])
    assert ds.verify(tmp_path)[0].startswith("nps.npz is truncated")
    assert "--scale 2" in ds.verify(tmp_path)[0]


def test_csv_can_be_asked_for_at_any_scale(tmp_path: Path) -> None:
    ds.generate(tmp_path, seed=3, scale=2, fmt="csv")
    pd.testing.assert_frame_equal(files.read_table("tickets", tmp_path),
                                  ds.load("tickets", seed=3, scale=2))
    with pytest.raises(ValueError, match="fmt should be one of csv, npz"):
        ds.generate(tmp_path, fmt="xlsx")


def test_cli_runs_as_a_module(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "pmkit.course.datasets_command", "generate",
                             "--scale", "x"], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


# --- realism -----------------------------------------------------------------------------------

def test_order_values_are_heavy_tailed() -> None:
    value = ds.load("orders")["order_value"]
    assert value.mean() > 1.4 * value.median()
    assert stats.skew(value) > 2.5
    top = value.sort_values(ascending=False)
    assert top.iloc[: len(top) // 100].sum() / top.sum() > 0.07  # top 1 % of orders > 7 % of sales


def test_orders_have_weekly_seasonality_matching_the_truth() -> None:
    orders = ds.load("orders")
    counts = orders["order_date"].dt.day_of_week.value_counts().sort_index().to_numpy()
    assert stats.chisquare(counts).pvalue < 1e-12  # not uniform across weekdays
    share = counts / counts.sum()
    truth = np.array(list(ds.truth("orders")["weekday_share"].values()))
    np.testing.assert_allclose(share, truth, atol=0.006)


def test_sessions_have_weekly_seasonality_matching_the_truth() -> None:
    sessions, truth = ds.load("sessions"), ds.truth("sessions")
    per_day = sessions.groupby("date").size()
    by_weekday = per_day.groupby(per_day.index.day_of_week).mean()
    weight = np.array(list(truth["weekday_traffic"].values()))
    np.testing.assert_allclose(by_weekday / by_weekday.mean(), weight / weight.mean(), atol=0.03)


def test_ratings_are_j_shaped() -> None:
    share = ds.load("reviews")["stars"].value_counts(normalize=True).sort_index()
    assert share[5] > share[4] > share[3] > share[2]
    assert share[1] > share[2] and share[1] > share[3]  # the hook of the J


def test_retention_curves_flatten() -> None:
    customers = ds.load("customers")
    orders = ds.load("orders").merge(customers[["customer_id", "signup_date"]], on="customer_id")
    month = ((orders.order_date - orders.signup_date).dt.days // 30).astype(int)
    early = customers.signup_date < pd.Timestamp("2024-06-01")  # observed for 18+ months
    cohort = set(customers.customer_id[early])
    active = orders[orders.customer_id.isin(cohort)].assign(month=month).groupby("month")[
        "customer_id"].nunique() / len(cohort)
    assert active[1] - active[6] > 3 * abs(active[12] - active[18])
    assert active[18] > 0.05


def test_throughput_has_zero_weeks_and_matches_work_items() -> None:
    throughput = ds.load("throughput")
    assert (throughput.items_done == 0).sum() >= 12
    items = ds.load("work_items")
    week = (items.finished - pd.to_timedelta(items.finished.dt.day_of_week, unit="D")).astype(
        "datetime64[s]")
    counted = items.assign(week=week).groupby(["team", "week"]).size()
    nonzero = throughput[throughput.items_done > 0].set_index(["team", "week"]).items_done
    pd.testing.assert_series_equal(counted.sort_index(), nonzero.sort_index(), check_names=False)
    assert (items.finished - items.started).dt.days.equals(items.cycle_days)


# --- the truth is in the data ------------------------------------------------------------------

def _arms(table: pd.DataFrame, name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    test = table[table.experiment == name]
    return test[test.variant == "control"], test[test.variant == "treatment"]


def test_each_experiment_estimate_is_within_four_standard_errors_of_the_truth() -> None:
    table, truth = ds.load("experiments"), ds.truth("experiments")
    for name, spec in truth.items():
        if name.startswith("_") or spec["issue"] == "sample ratio mismatch":
            continue
        control, treatment = _arms(table, name)
        if spec["metric_kind"] == "ratio":
            estimate, se = _ratio_difference(control, treatment)
        else:
            metric = spec["primary"]
            estimate = treatment[metric].mean() - control[metric].mean()
            t = stats.ttest_ind(treatment[metric], control[metric], equal_var=False)
            se = estimate / t.statistic
        assert abs(estimate - spec["true_effect"]) < 4 * abs(se), name
        if spec["decision"] == "ship":
            assert estimate / abs(se) > 2.5, name


def _ratio_difference(control: pd.DataFrame, treatment: pd.DataFrame) -> tuple[float, float]:
    """Difference in clicks / page_views with delta-method standard errors (users are units)."""
    parts = []
    for arm in (treatment, control):
        x, y = arm.clicks.to_numpy(float), arm.page_views.to_numpy(float)
        ratio = x.sum() / y.sum()
        var = np.var(x - ratio * y, ddof=1) / (len(x) * y.mean() ** 2)
        parts.append((ratio, var))
    return parts[0][0] - parts[1][0], float(np.sqrt(parts[0][1] + parts[1][1]))


def test_delta_method_standard_error_agrees_with_the_bootstrap() -> None:
    """The delta-method variance equals the variance of a ratio estimator via linearisation."""
    control, treatment = _arms(ds.load("experiments"), "personalised_feed")
    _, se = _ratio_difference(control, treatment)
    boot = np.random.default_rng(0)
    draws = []
    for _ in range(300):
        c = control.iloc[boot.integers(0, len(control), len(control))]
        t = treatment.iloc[boot.integers(0, len(treatment), len(treatment))]
        draws.append(t.clicks.sum() / t.page_views.sum() - c.clicks.sum() / c.page_views.sum())
    assert abs(np.std(draws) / se - 1) < 0.15


def test_flat_test_shows_no_effect_and_clean_winner_has_the_true_sign() -> None:
    table, truth = ds.load("experiments"), ds.truth("experiments")
    assert truth["checkout_button_colour"]["true_effect"] == 0
    control, treatment = _arms(table, "checkout_button_colour")
    assert stats.ttest_ind(treatment.converted, control.converted).pvalue > 0.05
    assert truth["free_shipping_banner"]["sign"] == 1


def test_sample_ratio_mismatch_is_detectable_only_where_planted() -> None:
    table, truth = ds.load("experiments"), ds.truth("experiments")
    for name, spec in truth.items():
        if name.startswith("_"):
            continue
        counts = table[table.experiment == name].variant.value_counts()
        p = stats.chisquare([counts["control"], counts["treatment"]]).pvalue
        if spec["issue"] == "sample ratio mismatch":
            assert p < 1e-6
            assert counts["control"] - counts["treatment"] == pytest.approx(spec["users_lost"],
                                                                            abs=250)
        else:
            assert p > 0.001, name


def test_novelty_effect_fades() -> None:
    control, treatment = _arms(ds.load("experiments"), "homepage_video")
    early = treatment[treatment.day <= 3].clicks.mean() / control[control.day <= 3].clicks.mean()
    late_t, late_c = treatment[treatment.day >= 15], control[control.day >= 15]
    assert early - 1 > 0.25
    assert stats.ttest_ind(late_t.clicks, late_c.clicks, equal_var=False).pvalue > 0.05
    lifts = ds.truth("experiments")["homepage_video"]["lift_by_day"]
    assert lifts[0] == pytest.approx(0.5) and lifts[-1] < 0.02


def test_guardrail_loses_where_planted() -> None:
    control, treatment = _arms(ds.load("experiments"), "one_click_upsell")
    spec = ds.truth("experiments")["one_click_upsell"]
    assert "returned" in spec["guardrails"] and spec["guardrail_effects"]["returned"] > 0
    result = stats.ttest_ind(treatment.returned, control.returned, equal_var=False)
    assert result.statistic > 3


def test_cuped_covariate_reduces_variance() -> None:
    table = ds.load("experiments")
    for name in ("one_click_upsell", "recommended_for_you"):
        test = table[table.experiment == name]
        r = np.corrcoef(test.pre_revenue, test.revenue)[0, 1]
        assert r > 0.3, name  # CUPED removes r² of the variance


def test_review_themes_match_the_truth_exactly() -> None:
    from pmkit.datasets.customer import theme_flags

    reviews, truth = ds.load("reviews"), ds.truth("reviews")
    flags = theme_flags(reviews.text)
    clean = reviews.stars[~flags.any(axis=1)].mean()
    assert clean == pytest.approx(truth["mean_stars_without_pain_points"], abs=1e-6)
    impact = {}
    for theme, spec in truth["themes"].items():
        assert flags[theme].mean() == pytest.approx(spec["frequency"], abs=1e-6), theme
        lost = clean - reviews.stars[flags[theme]].mean()
        assert lost == pytest.approx(spec["stars_lost"], abs=1e-6), theme
        impact[theme] = flags[theme].mean() * lost
    assert sorted(impact, key=lambda t: -impact[t]) == truth["ranking"]


def test_late_orders_drive_late_delivery_reviews_and_tickets() -> None:
    orders = ds.load("orders").assign(late=lambda o: o.actual_days > o.promised_days)
    reviews = ds.load("reviews").merge(orders[["order_id", "late"]], on="order_id")
    mentions = reviews.text.str.contains(ds.truth("reviews")["themes"]["late delivery"]["pattern"])
    assert mentions[reviews.late].mean() > 5 * mentions[~reviews.late].mean()
    tickets = ds.load("tickets").merge(orders[["order_id", "late"]], on="order_id")
    wismo = tickets.topic == "where is my order"
    assert wismo[tickets.late].mean() > 0.7


def test_late_delivery_rates_by_region_match_the_truth() -> None:
    orders = ds.load("orders").merge(ds.load("customers")[["customer_id", "region"]],
                                     on="customer_id")
    month = orders.order_date.dt.month
    calm = orders[(month < 11) | ((month == 11) & (orders.order_date.dt.day < 15))]
    late = (calm.actual_days > calm.promised_days).groupby(calm.region).agg(["mean", "size"])
    for region, p in ds.truth("orders")["late_probability_by_region"].items():
        se = np.sqrt(p * (1 - p) / late.loc[region, "size"])
        assert abs(late.loc[region, "mean"] - p) < 4 * se, region


def test_nps_effects_are_recovered_by_regression() -> None:
    import statsmodels.api as sm

    nps, orders, customers = ds.load("nps"), ds.load("orders"), ds.load("customers")
    merged = orders.merge(nps[["customer_id", "date"]], on="customer_id")
    before = merged[(merged.order_date < merged.date)
                    & (merged.actual_days > merged.promised_days)]
    late = before.groupby("customer_id").size().reindex(nps.customer_id, fill_value=0)
    who = customers.set_index("customer_id").loc[nps.customer_id]
    member = ((who.member_since.to_numpy() <= nps.date.to_numpy())
              & ~(who.member_until.to_numpy() <= nps.date.to_numpy()))
    X = sm.add_constant(np.column_stack([np.minimum(late.to_numpy(), 3), member]).astype(float))
    fit = sm.OLS(nps.score.to_numpy(float), X).fit()
    truth = ds.truth("nps")
    # Rounding and the 0-10 ceiling shrink effects a little; the sign and size survive.
    assert fit.params[1] == pytest.approx(truth["late_effect"], abs=0.35)
    assert fit.params[2] == pytest.approx(truth["member_effect"], abs=0.35)
    score = nps.score
    assert 100 * ((score >= 9).mean() - (score <= 6).mean()) == pytest.approx(truth["nps"])


def test_kano_answers_recover_each_features_true_category() -> None:
    table = {("like", "dislike"): "one-dimensional"}
    for func in ("expect", "neutral", "tolerate"):
        table[(func, "dislike")] = "must-be"
        table[("like", func)] = "attractive"
        for dys in ("expect", "neutral", "tolerate"):
            table[(func, dys)] = "indifferent"
    for dys in ("like", "expect", "neutral", "tolerate"):
        table[("dislike", dys)] = "reverse"
    kano = ds.load("kano")
    category = [table.get(pair, "questionable") for pair in zip(kano.functional,
                                                                kano.dysfunctional, strict=True)]
    modal = kano.assign(category=category).groupby("feature").category.agg(
        lambda s: s.value_counts().index[0])
    assert modal.to_dict() == ds.truth("kano")["category"]


def test_funnel_hides_a_simpsons_paradox() -> None:
    sessions, truth = ds.load("sessions"), ds.truth("sessions")
    after = sessions.date >= pd.Timestamp(truth["redesign_date"])
    rate = sessions.groupby([after.rename("after"), "source"]).purchase.agg(["mean", "size"])
    for source, true in truth["conversion_by_source"].items():
        assert rate.loc[(True, source), "mean"] > rate.loc[(False, source), "mean"], source
        for period, flag in (("before", False), ("after", True)):
            p, n = true[period], rate.loc[(flag, source), "size"]
            assert abs(rate.loc[(flag, source), "mean"] - p) < 4 * np.sqrt(p * (1 - p) / n)
    overall = sessions.groupby(after).purchase.mean()
    assert overall[True] < overall[False]
    assert truth["conversion_overall"]["after"] < truth["conversion_overall"]["before"]
    steps = sessions[["visit", "product_view", "add_to_cart", "checkout", "purchase"]].astype(int)
    assert (steps.diff(axis=1).iloc[:, 1:] <= 0).all().all()  # nobody skips a step forward


def test_membership_churn_and_uplift_match_the_truth() -> None:
    members, truth = ds.load("membership"), ds.truth("membership")
    pooled = members.groupby("tenure_month")[["churned", "members"]].sum()
    hazard = pooled.churned / pooled.members
    true = np.array(truth["hazard_by_tenure"])[hazard.index]
    se = np.sqrt(true * (1 - true) / pooled.members)
    assert (np.abs(hazard - true) < 4 * se).all()
    assert members.cohort.nunique() >= 30  # monthly cohorts over the three years of data
    uplift = (members.orders_per_member * members.members).sum() / (
        members.baseline_orders * members.members).sum()
    assert uplift == pytest.approx(truth["order_uplift"], abs=0.03)


def test_customer_mix_and_membership_follow_the_truth() -> None:
    customers, truth = ds.load("customers"), ds.truth("customers")
    share = customers.segment.value_counts(normalize=True)
    for segment, p in truth["segment_share"].items():
        assert share[segment] == pytest.approx(p, abs=0.015)
    ended = customers.dropna(subset=["member_until"])
    assert (ended.member_until > ended.member_since).all()
    assert not customers.is_member[customers.member_since.isna()].any()
    orders = ds.load("orders").merge(customers[["customer_id", "member_since", "member_until"]],
                                     on="customer_id")
    member_now = (orders.member_since <= orders.order_date) & ~(
        orders.member_until <= orders.order_date)
    assert orders.is_member.equals(member_now)
    assert (orders[orders.is_member].shipping_fee == 0).all()


def test_order_lines_add_up_to_orders() -> None:
    orders, lines = ds.load("orders"), ds.load("order_lines")
    total = lines.groupby("order_id").line_value.sum().round(2)
    np.testing.assert_allclose(total.to_numpy(), orders.order_value.to_numpy(), atol=0.011)
    assert lines.groupby("order_id").size().equals(orders.set_index("order_id")["items"])
    expected = (lines.unit_price * lines.quantity * (1 - lines.discount)).round(2)
    np.testing.assert_allclose(lines.line_value, expected, atol=0.006)
    products = ds.load("products").set_index("product_id")
    assert (products.category.loc[lines.product_id].to_numpy() == lines.category.to_numpy()).all()


def test_ticket_resolution_and_reopen_rates_match_the_truth() -> None:
    tickets, truth = ds.load("tickets"), ds.truth("tickets")
    for topic, spec in truth["topics"].items():
        rows = tickets[tickets.topic == topic]
        n = len(rows)
        assert n >= 50, topic
        # Median of a lognormal sample: its log has standard error ~ 1.2533 * sigma / sqrt(n).
        log_se = 1.2533 * truth["hours_log_sd"] / np.sqrt(n)
        assert abs(np.log(rows.hours_to_resolve.median() / spec["median_hours"])) < 4 * log_se
        p = spec["reopen_probability"]
        assert abs(rows.reopened.mean() - p) < 4 * np.sqrt(p * (1 - p) / n), topic


def test_team_throughput_matches_the_true_weekly_rate() -> None:
    throughput, truth = ds.load("throughput"), ds.truth("throughput")
    usual = throughput[throughput.week.dt.strftime("%m-%d") < "12-23"]
    keep = 1 - truth["incident_week_probability"]
    for team, spec in truth["teams"].items():
        done = usual[usual.team == team].items_done
        mean = spec["weekly_rate"] * keep
        # Poisson with a random stop: variance = keep * rate * (1 + rate * (1 - keep)).
        var = keep * spec["weekly_rate"] * (1 + spec["weekly_rate"] * (1 - keep))
        assert abs(done.mean() - mean) < 4 * np.sqrt(var / len(done)), team
    per_person = {t: s["per_person"] for t, s in truth["teams"].items()}
    assert max(per_person, key=per_person.get) == truth["most_items_per_person"]


def test_backlog_and_bets_truth_is_consistent() -> None:
    backlog, truth = ds.load("backlog"), ds.truth("backlog")
    per_effort = {int(k): v for k, v in truth["true_value_per_effort"].items()}
    assert truth["best_items"] == sorted(per_effort, key=lambda k: -per_effort[k])[:5]
    assert set(per_effort) == set(backlog.item_id)
    bets, bet_truth = ds.load("bets"), ds.truth("bets")
    expected = bets.p_success * bets.payoff_median * np.exp(bets.payoff_sigma**2 / 2) - bets.cost
    # The truth was computed from the same rounded inputs, to 4 decimals.
    np.testing.assert_allclose(expected, [bet_truth["expected_value"][str(i)] for i in bets.bet_id],
                               atol=1e-4)
    discount = (1 + bet_truth["discount_rate"]) ** bets.years_to_payoff
    npv = (expected + bets.cost) / discount - bets.cost
    np.testing.assert_allclose(npv, [bet_truth["expected_npv"][str(i)] for i in bets.bet_id],
                               atol=1e-4)


def test_item_to_item_beats_popularity_on_the_held_out_orders() -> None:
    purchases = ds.load("purchases")
    n = int(purchases.product_id.max()) + 1
    train, test = purchases[purchases.split == "train"], purchases[purchases.split == "test"]
    baskets = train.groupby("customer_id").product_id.apply(np.asarray)
    co = np.zeros((n, n))
    for items in baskets:
        co[np.ix_(items, items)] += 1
    np.fill_diagonal(co, 0)
    popularity = np.bincount(train.product_id, minlength=n).astype(float)
    hits = {"item": 0, "popular": 0}
    held_out = test.groupby("customer_id").product_id.apply(set)
    for customer, wanted in held_out.items():
        if customer not in baskets.index:
            continue
        owned = baskets[customer]
        for method, score in (("item", co[owned].sum(axis=0)), ("popular", popularity.copy())):
            score[owned] = -1
            top = set(np.argsort(-score, kind="stable")[:10].tolist())
            hits[method] += bool(top & wanted)
    assert hits["item"] > 1.3 * hits["popular"]
    bought = ds.load("order_lines").merge(ds.load("orders")[["order_id", "customer_id"]],
                                          on="order_id")
    pairs = set(zip(bought.customer_id, bought.product_id, strict=True))
    assert set(zip(purchases.customer_id, purchases.product_id, strict=True)) <= pairs


# --- the manifest checked on load ------------------------------------------------------------

def _keep_lines(path: Path, lines: int) -> None:
    """Cut a CSV short exactly on a line boundary: still valid CSV, just fewer rows."""
    with open(path, "rb") as stream:
        kept = b"".join(line for _, line in zip(range(lines), stream, strict=False))
    path.write_bytes(kept)


def test_a_table_cut_short_on_a_line_boundary_is_an_error_naming_the_file_and_the_fix(
        copy_of_datasets: Path) -> None:
    manifest = json.loads((copy_of_datasets / "MANIFEST.json").read_text())
    expected = manifest["files"]["orders.csv"]["rows"]
    _keep_lines(copy_of_datasets / "orders.csv", 1 + expected - 5000)  # header + all but 5,000 rows
    assert len(pd.read_csv(copy_of_datasets / "orders.csv")) == expected - 5000  # pandas sees no problem
    with pytest.raises(ValueError) as info:
        files.read_table("orders", copy_of_datasets)
    text = str(info.value)
    short = f"datasets/orders.csv is short: {expected - 5000:,} rows where MANIFEST.json records {expected:,}"
    assert short in text
    assert f"pmkit datasets generate --out {copy_of_datasets}" in text


def test_the_committed_tables_cut_short_stop_a_lesson_from_loading_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(datasets_dir(), tmp_path / "datasets")
    monkeypatch.setenv("PMKIT_REPO", str(tmp_path))  # the course's own folder, as a learner has it
    _keep_lines(tmp_path / "datasets" / "orders.csv", 48_791)
    with pytest.raises(ValueError, match=r"orders\.csv is short: 48,790 rows") as info:
        ds.load("orders")
    assert "`pmkit datasets generate`" in str(info.value) and "`git checkout -- datasets/`" in str(info.value)


def test_a_cut_inside_the_last_line_or_an_extra_row_is_an_error_too(copy_of_datasets: Path) -> None:
    path = copy_of_datasets / "bets.csv"
    intact = path.read_bytes()
    path.write_bytes(intact[:-3])  # the last row loses its final characters but still parses
    with pytest.raises(ValueError, match=r"bets\.csv is truncated: \d+ bytes where MANIFEST\.json records"):
        files.read_table("bets", copy_of_datasets)
    last_line = intact.splitlines(keepends=True)[-1]
    path.write_bytes(intact + last_line)
    with pytest.raises(ValueError, match=r"bets\.csv has extra rows"):
        files.read_table("bets", copy_of_datasets)


def test_intact_tables_load_and_a_missing_manifest_is_named(copy_of_datasets: Path) -> None:
    pd.testing.assert_frame_equal(files.read_table("orders", copy_of_datasets), ds.load("orders"))
    (copy_of_datasets / "MANIFEST.json").unlink()
    with pytest.raises(ValueError, match=r"MANIFEST\.json is missing or unreadable, so the tables cannot"):
        files.read_table("orders", copy_of_datasets)
