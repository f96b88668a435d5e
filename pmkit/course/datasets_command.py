"""``pmkit datasets generate|verify``: the command line for the datasets.

>>> main(["verify"])
datasets OK: every file matches MANIFEST.json
0
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line instead of a usage block."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(message)


class _UsageError(Exception):
    pass


def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="pmkit datasets",
                     description="Generate or check Basketly's synthetic datasets.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    gen = sub.add_parser("generate", help="write every table, its truth, schema and manifest")
    gen.add_argument("--seed", type=_whole_number, default=None,
                     help="random seed (default 42: the committed files)")
    gen.add_argument("--scale", type=_whole_number, default=1,
                     help="multiply the number of customers, orders and sessions (default 1)")
    gen.add_argument("--out", type=Path, default=None,
                     help="output folder (default: the course's datasets/ folder)")
    gen.add_argument("--format", choices=("csv", "npz"), default=None, dest="fmt",
                     help="file format (default: csv at scale 1, npz above)")
    ver = sub.add_parser("verify", help="check the files against MANIFEST.json")
    ver.add_argument("folder", nargs="?", type=Path, default=None,
                     help="dataset folder (default: the course's datasets/ folder)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``pmkit datasets ...``; returns the exit code (0 = success).

    Errors print one line to stderr and return 2 (bad usage) or 1 (failed check).
    """
    from pmkit import datasets

    try:
        args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    except _UsageError as exc:
        print(f"pmkit datasets: error: {exc}", file=sys.stderr)
        return 2
    if args.command == "generate":
        try:
            start = time.perf_counter()
            paths = datasets.generate(args.out, seed=args.seed, scale=args.scale, fmt=args.fmt)
        except (ValueError, TypeError) as exc:
            print(f"pmkit datasets generate: error: {exc}", file=sys.stderr)
            return 2
        except OSError as exc:
            print(f"pmkit datasets generate: error: could not write ({exc})", file=sys.stderr)
            return 1
        folder = paths[-1].parent
        print(f"wrote {len(paths)} files to {folder} in {time.perf_counter() - start:.1f} s")
        return 0
    try:
        problems = datasets.verify(args.folder)
    except (ValueError, TypeError) as exc:
        print(f"pmkit datasets verify: error: {exc}", file=sys.stderr)
        return 2
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    print("datasets OK: every file matches MANIFEST.json")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
