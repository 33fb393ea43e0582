"""The command line the per-county migration scripts share: `--stage`, `--county` (repeatable) or `--all` (every
county not yet marked done), and optionally `--dry-run`."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable


def arguments(prog: str, argv=None, *, dry_run: str | None = None
              ) -> tuple[argparse.ArgumentParser, argparse.Namespace]:
    """Parse the command line; `--stage` sets CQT_STAGE before any setting is read. `dry_run`: the option's help."""
    p = argparse.ArgumentParser(prog=prog)
    p.add_argument("--stage", help="the deployment stage (CQT_STAGE); default: the environment's")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--county", action="append", help="a county code (repeatable); runs even if marked done")
    which.add_argument("--all", action="store_true", help="every county without the migration's marker")
    if dry_run:
        p.add_argument("--dry-run", action="store_true", help=dry_run)
    args = p.parse_args(argv)
    if args.stage:
        os.environ["CQT_STAGE"] = args.stage
    return p, args


def chosen(p: argparse.ArgumentParser, args: argparse.Namespace, done: Callable[[str], bool]) -> list[str]:
    """The counties to run: those named (validated), or every county of the stage that is not `done`."""
    from chalicelib.core.counties import validate_county_code
    from chalicelib.households.migrate import counties

    if args.all:
        return [t for t in counties() if not done(t)]
    try:
        return [validate_county_code(c) for c in args.county]
    except ValueError as e:
        p.error(str(e))


def run(tenants: list[str], dry_run: bool, work: Callable[[str], dict], mark: Callable[[str, dict], None]) -> int:
    """`work` each county (its counts: at least `conflicts` and `failed`), `mark` it unless a dry run, print one JSON
    line per county (ids and counts only). 1 when some county had conflicts or failures (see the output), else 0."""
    status = 0
    for t in tenants:
        counts = work(t)
        if not dry_run:
            mark(t, counts)
        status |= bool(counts["conflicts"] or counts["failed"])
        print(json.dumps({"county": t, "dry_run": dry_run, **counts}, ensure_ascii=False), flush=True)
    return status
