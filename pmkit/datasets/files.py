"""Reading, writing and verifying the dataset files.

A dataset folder holds one ``<table>.csv`` per table (``.npz`` above scale 1, see
``write_npz``), ``truth/<table>.json`` with the hidden truth, ``schema.json``, the
``README.md`` data dictionary and ``MANIFEST.json`` (SHA-256, size and row count of
every other file). Every file is written to a
temporary name first and then renamed, so an interrupted run never leaves a
half-written file behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pmkit.datasets._build import (
    DEFAULT_SEED,
    Build,
    build,
    check_name,
    check_scale,
    check_seed,
    names,
)
from pmkit.datasets.schema import KINDS, TABLES, Table

MANIFEST = "MANIFEST.json"
SCHEMA = "schema.json"
README = "README.md"


def _default_folder() -> Path:
    from pmkit.paths import datasets_dir

    return datasets_dir()


def _shown(path: Path) -> str:
    """A short name for messages: datasets/orders.csv rather than a long absolute path."""
    return f"{path.parent.name}/{path.name}"


# --- writing ---------------------------------------------------------------------------------

def _atomic_write(path: Path, write: Callable[[Any], None], mode: str = "w") -> None:
    """Write through a temporary file in the same folder, then rename it into place."""
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        kwargs = {"newline": "", "encoding": "utf-8"} if "b" not in mode else {}
        with os.fdopen(handle, mode, **kwargs) as stream:
            write(stream)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


_CHUNK_ROWS = 100_000


def _quote(text: str) -> str:
    if "," in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def _format_unique(values: np.ndarray, kind: str) -> list[str]:
    if kind == "date":
        return values.astype("datetime64[D]").astype(str).tolist()
    if kind == "float":
        return list(map(repr, values.astype(float).tolist()))
    if kind == "int":
        return list(map(str, values.astype(np.int64).tolist()))
    return [_quote(str(v)) for v in values.tolist()]


def _codes(values: pd.Series) -> tuple[np.ndarray, Any]:
    """Integer codes (-1 for missing) and the distinct values they point to."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(), values.cat.categories
    return pd.factorize(values, use_na_sentinel=True)


@lru_cache(maxsize=2)
def _small_ints(upto: int) -> np.ndarray:
    """The strings "0" .. str(upto - 1), built once per process."""
    return np.asarray(list(map(str, range(upto))), dtype=object)


def _cells(values: pd.Series, kind: str) -> list[str]:
    """One column as CSV cells: ints plainly, floats as shortest round-trip repr,
    booleans as 0/1, dates as YYYY-MM-DD, text quoted only when it must be; empty = missing.

    Columns repeat a few values many times, so each distinct value is formatted once.
    """
    if kind == "bool":
        return np.where(values.to_numpy(dtype=bool), "1", "0").tolist()
    if kind == "int":
        ints = values.to_numpy(dtype=np.int64)
        if ints.size and ints.min() >= 0 and ints.max() < 1 << 20:
            # A shared table of "0", "1", ... turns formatting into one array lookup.
            return _small_ints(1 << 17 if ints.max() < 1 << 17 else 1 << 20)[ints].tolist()
    codes, uniques = _codes(values)
    text = np.asarray([*_format_unique(np.asarray(uniques), kind), ""], dtype=object)
    return text[codes].tolist()  # code -1 (missing) picks the trailing ""


def _write_csv(frame: pd.DataFrame, table: Table, stream: Any) -> None:
    # pandas' to_csv spends most of its time formatting; joining Python strings is
    # several times faster and gives the same text for these column kinds.
    stream.write(",".join(table.column_names) + "\n")
    for start in range(0, len(frame), _CHUNK_ROWS):
        chunk = frame.iloc[start:start + _CHUNK_ROWS]
        columns = [_cells(chunk[c.name], c.kind) for c in table.columns]
        stream.write("\n".join(map(",".join, zip(*columns, strict=True))))
        stream.write("\n")


def write_table(frame: pd.DataFrame, path: Path, table: Table) -> None:
    """One table as CSV (UTF-8, '\\n' line ends, no index), atomically."""
    _atomic_write(path, lambda stream: _write_csv(frame, table, stream))


def write_json(data: Any, path: Path) -> None:
    text = json.dumps(data, indent=2, sort_keys=False, ensure_ascii=False) + "\n"
    _atomic_write(path, lambda s: s.write(text))


def _is_default_folder(out: Path | str | None) -> bool:
    if out is None:
        return True
    if not isinstance(out, str | os.PathLike):
        return False
    try:
        return Path(out).expanduser().resolve() == _default_folder().resolve()
    except OSError:
        return False


def _writable_folder(out: Path | str | None) -> Path:
    if out is None:
        folder = _default_folder()
    elif isinstance(out, str | os.PathLike):
        folder = Path(out).expanduser()
    else:
        raise TypeError(f"out should be a folder path, got {type(out).__name__}")
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"output folder {folder} is a file, not a folder")
    try:
        (folder / "truth").mkdir(parents=True, exist_ok=True)
        probe, probe_path = tempfile.mkstemp(dir=folder, prefix=".write-test.")
        os.close(probe)
        os.unlink(probe_path)
    except OSError as exc:
        raise ValueError(f"cannot write to output folder {folder}: {exc.strerror or exc}") from None
    return folder


FORMATS = ("csv", "npz")
#: Tables that depend on the big order tables come right after them, so those can be
#: freed early when generating at a large scale.
_WRITE_ORDER = ("customers", "products", "orders", "order_lines", "purchases", "reviews", "nps",
                "tickets")
_FREE_AFTER = {"tickets": ("customers", "orders", "order_lines", "purchases", "reviews", "nps",
                           "tickets")}


def write_npz(frame: pd.DataFrame, path: Path, table: Table) -> None:
    """One table as uncompressed .npz: a raw binary array per column, text as codes + labels."""
    arrays: dict[str, np.ndarray] = {}
    for col in table.columns:
        values = frame[col.name]
        if col.kind == "str":
            codes, labels = _codes(values)
            arrays[col.name] = codes.astype(np.int32)
            arrays[f"{col.name}__labels"] = np.asarray(labels, dtype=str)
        elif col.kind == "date":
            arrays[col.name] = values.to_numpy().astype("datetime64[D]")
        else:
            arrays[col.name] = values.to_numpy(dtype=KINDS[col.kind])
    _atomic_write(path, lambda stream: np.savez(stream, **arrays), mode="wb")


def read_npz(path: Path, table: Table) -> pd.DataFrame:
    """A table written by ``write_npz``, with the same dtypes ``load`` gives."""
    with np.load(path, allow_pickle=False) as data:
        columns = {}
        for col in table.columns:
            if col.name not in data:
                raise ValueError(f"{_shown(path)} is missing column {col.name!r}")
            values = data[col.name]
            if col.kind == "str":
                labels = np.asarray([*data[f"{col.name}__labels"].tolist(), None], dtype=object)
                columns[col.name] = pd.array(labels[values], dtype="str")
            elif col.kind == "date":
                columns[col.name] = values.astype(KINDS["date"])
            else:
                columns[col.name] = values
    return pd.DataFrame(columns)


def generate(out: Path | str | None = None, seed: int | None = None, scale: int = 1,
             fmt: str | None = None) -> list[Path]:
    """Generate every table into ``out`` (default: the course's ``datasets/``).

    Returns the paths written. The default seed at scale 1 reproduces the committed
    files byte for byte. ``fmt`` is "csv" (default at scale 1) or "npz" (default above:
    big tables write and load far faster as binary columns).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     paths = generate(tmp, seed=3)
    >>> sorted(p.name for p in paths)[:2]
    ['MANIFEST.json', 'README.md']
    """
    seed = check_seed(seed)
    scale = check_scale(scale)
    if fmt is None:
        fmt = "csv" if scale == 1 else "npz"
    if fmt not in FORMATS:
        raise ValueError(f"fmt should be one of {', '.join(FORMATS)}, got {fmt!r}")
    default = seed == DEFAULT_SEED and scale == 1 and fmt == "csv"
    if not default and _is_default_folder(out):
        # load() reads that folder for the default seed; other data there would mislead it.
        raise ValueError(f"the course's datasets folder keeps seed {DEFAULT_SEED} at scale 1 "
                         "as CSV; pass an output folder (--out DIR) for other data")
    folder = _writable_folder(out)
    from pmkit.datasets import _readme

    # A big build is not kept in the session cache: it would hold gigabytes.
    work = build(seed, scale) if scale == 1 else Build(seed, scale)
    write = write_table if fmt == "csv" else write_npz
    written: list[Path] = []
    rows: dict[str, int] = {}
    order = [*_WRITE_ORDER, *(n for n in names() if n not in _WRITE_ORDER)]
    for name in order:
        frame = work.table(name)
        rows[name] = len(frame)
        path = folder / f"{name}.{fmt}"
        write(frame, path, TABLES[name])
        written.append(path)
        path = folder / "truth" / f"{name}.json"
        write_json(work.truth(name), path)
        written.append(path)
        del frame
        if scale > 1:
            for done in _FREE_AFTER.get(name, ()):
                work.forget(done)
    schema = {"seed": seed, "scale": scale, "format": fmt,
              "tables": [t.to_dict() | {"file": f"{t.name}.{fmt}"} for t in TABLES.values()]}
    write_json(schema, folder / SCHEMA)
    readme = _readme.text(seed, scale, rows, fmt)
    _atomic_write(folder / README, lambda s: s.write(readme))
    written += [folder / SCHEMA, folder / README]
    write_json(_manifest(folder, written, seed, scale, rows), folder / MANIFEST)
    written.append(folder / MANIFEST)
    return written


# --- the manifest and verify -----------------------------------------------------------------

def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _manifest(folder: Path, paths: list[Path], seed: int, scale: int,
              rows: dict[str, int]) -> dict[str, Any]:
    files = {}
    for path in sorted(paths, key=lambda p: p.relative_to(folder).as_posix()):
        rel = path.relative_to(folder).as_posix()
        entry: dict[str, Any] = {"sha256": sha256(path), "bytes": path.stat().st_size}
        if path.suffix in {".csv", ".npz"}:
            entry["rows"] = rows[path.stem]
        files[rel] = entry
    return {"seed": seed, "scale": scale, "files": files}


def _restore_hint(folder: Path, seed: int, scale: int) -> str:
    default = folder.resolve() == _default_folder().resolve()
    options = [] if default else [f" --out {folder}"]
    if seed != DEFAULT_SEED:
        options.append(f" --seed {seed}")
    if scale != 1:
        options.append(f" --scale {scale}")
    hint = f"restore it with `pmkit datasets generate{''.join(options)}`"
    if default and seed == DEFAULT_SEED and scale == 1:
        hint += f" or `git checkout -- {folder.name}/`"
    return hint


def verify(folder: Path | str | None = None) -> list[str]:
    """Problems with a dataset folder, one sentence each; an empty list means all is well.

    Each problem names the file (missing, truncated, edited or unexpected) and says how
    to restore it.

    >>> verify()
    []
    """
    if folder is not None and not isinstance(folder, str | os.PathLike):
        raise TypeError(f"folder should be a folder path, got {type(folder).__name__}")
    folder = _default_folder() if folder is None else Path(folder).expanduser()
    if not folder.is_dir():
        return [f"{folder} is not a folder; create it with `pmkit datasets generate --out {folder}`"]
    manifest_path = folder / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        files = manifest["files"]
        seed, scale = int(manifest["seed"]), int(manifest["scale"])
    except (OSError, ValueError, KeyError, TypeError):
        hint = _restore_hint(folder, DEFAULT_SEED, 1)
        return [f"{_shown(manifest_path)} is missing or unreadable; {hint}"]
    hint = _restore_hint(folder, seed, scale)
    problems = []
    for rel, entry in files.items():
        path = folder / rel
        if not path.is_file():
            problems.append(f"{rel} is missing; {hint}")
            continue
        size = path.stat().st_size
        if size < entry["bytes"]:
            problems.append(f"{rel} is truncated ({size:,} of {entry['bytes']:,} bytes); {hint}")
        elif size != entry["bytes"] or sha256(path) != entry["sha256"]:
            problems.append(f"{rel} was edited (its SHA-256 no longer matches {MANIFEST}); {hint}")
    for path in sorted([*folder.glob("*.csv"), *folder.glob("*.npz")]):
        if path.name not in files:
            problems.append(f"{path.name} is not part of the datasets (not in {MANIFEST}); "
                            "remove it or regenerate")
    return problems


# --- reading and checking --------------------------------------------------------------------

def _problem(path: Path, column: str, what: str) -> ValueError:
    return ValueError(f"{_shown(path)}, column {column!r}: {what}; "
                      "run `pmkit datasets verify` to check the files")


def _check_column(values: pd.Series, col: Any, path: Path) -> pd.Series:
    missing = values.isna()
    any_missing = bool(missing.any())
    if any_missing and not col.nullable:
        row = int(np.flatnonzero(missing.to_numpy())[0])
        raise _problem(path, col.name, f"{int(missing.sum())} empty value(s), first on data row {row + 1}")
    # Rows to check; the whole column when nothing is missing (as in every committed table),
    # which spares a copy of it.
    present = values[~missing] if any_missing else values
    if col.kind in {"int", "float", "bool"}:
        # read_csv already parsed a clean column as numbers: nothing to convert, and an integer
        # column needs no whole-number check.
        if pd.api.types.is_numeric_dtype(present) and not pd.api.types.is_bool_dtype(present):
            numeric = present
        else:
            numeric = pd.to_numeric(present, errors="coerce")
            bad = numeric.isna()
            if bad.any():
                raise _problem(path, col.name, f"{present[bad].iloc[0]!r} is not a number")
        whole = pd.api.types.is_integer_dtype(numeric) or (numeric == np.round(numeric)).all()
        if col.kind in {"int", "bool"} and not whole:
            raise _problem(path, col.name, "expected whole numbers")
        if col.kind == "bool":
            if not numeric.isin([0, 1]).all():
                raise _problem(path, col.name, "expected 0 or 1")
            return numeric.astype(bool)
        low, high = col.low, col.high
        if low is not None and (numeric < low).any():
            raise _problem(path, col.name, f"value {numeric.min()} is below the minimum {low}")
        if high is not None and (numeric > high).any():
            raise _problem(path, col.name, f"value {numeric.max()} is above the maximum {high}")
        return numeric.astype(KINDS[col.kind]) if not any_missing else values.astype(float)
    if col.kind == "date":
        dates = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
        bad = dates.isna() & ~missing
        if bad.any():
            raise _problem(path, col.name, f"{values[bad].iloc[0]!r} is not a YYYY-MM-DD date")
        if col.low is not None and (dates < pd.Timestamp(col.low)).any():
            raise _problem(path, col.name, f"date {dates.min().date()} is before {col.low}")
        if col.high is not None and (dates > pd.Timestamp(col.high)).any():
            raise _problem(path, col.name, f"date {dates.max().date()} is after {col.high}")
        return dates.astype(KINDS["date"])
    text = values.astype("str")
    if col.values:
        checked = text if not any_missing else present.astype("str")
        outside = ~checked.isin(col.values)
        if outside.any():
            raise _problem(path, col.name, f"{checked[outside].iloc[0]!r} is not one of "
                                           f"{', '.join(col.values)}")
    return text.where(~missing, None) if any_missing else text


def check_frame(frame: pd.DataFrame, table: Table, path: Path) -> pd.DataFrame:
    """A raw CSV frame checked against the schema and converted to the documented dtypes."""
    missing = [c for c in table.column_names if c not in frame.columns]
    if missing:
        present = ", ".join(map(str, frame.columns)) or "none"
        raise ValueError(f"{_shown(path)} is missing column(s) {', '.join(map(repr, missing))}; "
                         f"columns present: {present}")
    if frame.empty:
        raise ValueError(f"{_shown(path)} has no rows; run `pmkit datasets verify`")
    return pd.DataFrame({c.name: _check_column(frame[c.name], c, path) for c in table.columns})


def read_csv(path: Path, table: Table) -> pd.DataFrame:
    """Read and check one table file; errors name the file, column and problem."""
    if not path.is_file():
        raise ValueError(f"{_shown(path)} is missing; restore it with `pmkit datasets generate`"
                         " (see `pmkit datasets verify`)")
    text_cols = {c.name: "str" for c in table.columns if c.kind in {"str", "date"}}
    try:
        raw = pd.read_csv(path, dtype=text_cols, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValueError(f"{_shown(path)} cannot be read as CSV ({first}); "
                         "run `pmkit datasets verify`") from None
    return check_frame(raw, table, path)


@lru_cache(maxsize=8)
def _manifest_files(path: Path, stamp: tuple[int, int]) -> tuple[dict[str, Any], int, int]:
    """A folder's manifest entries, seed and scale; read once while the file is unchanged."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        return dict(manifest["files"]), int(manifest["seed"]), int(manifest["scale"])
    except (OSError, ValueError, KeyError, TypeError):
        hint = _restore_hint(path.parent, DEFAULT_SEED, 1)
        raise ValueError(f"{_shown(path)} is missing or unreadable, so the tables cannot be checked "
                         f"for truncation; {hint}") from None


def check_against_manifest(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """``frame``, read from ``path``, if its row count and the file's size are the ones the
    folder's MANIFEST.json records; otherwise a ValueError naming the file and the fix.

    A table cut short exactly on a line boundary is still valid CSV, so the schema checks
    cannot see it: the manifest can, for the price of one ``stat`` (the rows are counted in
    the frame already parsed).
    """
    manifest = path.parent / MANIFEST
    try:
        info = manifest.stat()
        stamp = (info.st_mtime_ns, info.st_size)
    except OSError:
        stamp = (0, 0)
    entries, seed, scale = _manifest_files(manifest, stamp)
    entry = entries.get(path.name)
    if entry is None:
        problem = f"is not listed in {MANIFEST}"
    elif len(frame) != entry["rows"]:
        short = "is short" if len(frame) < entry["rows"] else "has extra rows"
        problem = f"{short}: {len(frame):,} rows where {MANIFEST} records {entry['rows']:,}"
    elif (size := path.stat().st_size) != entry["bytes"]:
        what = "is truncated" if size < entry["bytes"] else "was edited"
        problem = f"{what}: {size:,} bytes where {MANIFEST} records {entry['bytes']:,}"
    else:
        return frame
    raise ValueError(f"{_shown(path)} {problem}; {_restore_hint(path.parent, seed, scale)}")


def _read_checked(path: Path, table: Table) -> pd.DataFrame:
    frame = read_npz(path, table) if path.suffix == ".npz" else read_csv(path, table)
    return check_against_manifest(frame, path)


@lru_cache(maxsize=32)
def _read_default(name: str, stamp: tuple[int, int]) -> pd.DataFrame:
    return _read_checked(_default_folder() / f"{name}.csv", TABLES[name])


def read_table(name: str, folder: Path | None = None) -> pd.DataFrame:
    """A table from a dataset folder (default: the committed one), checked against the schema
    and against the folder's MANIFEST.json (row count and size), so a file cut short is an error.

    Committed tables are cached while the file is unchanged; a copy is returned.
    """
    name = check_name(name)
    path = (folder or _default_folder()) / f"{name}.csv"
    if folder is not None:
        if not path.exists() and path.with_suffix(".npz").exists():
            return _read_checked(path.with_suffix(".npz"), TABLES[name])
        return _read_checked(path, TABLES[name])
    try:
        info = path.stat()
        stamp = (info.st_mtime_ns, info.st_size)
    except OSError:
        stamp = (0, 0)
    return _read_default(name, stamp).copy()


def read_truth(name: str, folder: Path | None = None) -> dict[str, Any]:
    name = check_name(name)
    path = (folder or _default_folder()) / "truth" / f"{name}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError:
        raise ValueError(f"truth/{name}.json is missing; restore it with "
                         "`pmkit datasets generate`") from None
    except ValueError as exc:
        raise ValueError(f"truth/{name}.json is not valid JSON ({exc}); "
                         "run `pmkit datasets verify`") from None
