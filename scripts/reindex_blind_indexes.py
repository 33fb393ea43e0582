"""Move a stage's members to their county's own blind-index key (chalicelib/households/reindex.py).

    python -m scripts.reindex_blind_indexes --stage prod --county 330825            # one county (again: safe)
    python -m scripts.reindex_blind_indexes --stage prod --county 330825 --dry-run  # what it would move
    python -m scripts.reindex_blind_indexes --stage prod --all                      # every county not yet marked

Run with the stage's AWS credentials and region (AWS_REGION), after deploying the version with per-county keys.
It reads without a Scan, decrypts each member's numbers and moves the members still on the platform key, one
TransactWrite each; a county with no conflict and no failure is marked (`reindexed_at`), and lookups then try its
own index only. A second run writes nothing. Prints one JSON line per county (no personal data: ids only).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts._per_county import arguments, chosen, run  # noqa: E402


def main(argv=None) -> int:
    p, args = arguments("python -m scripts.reindex_blind_indexes", argv,
                        dry_run="count what would be moved, write nothing")
    from chalicelib.households import reindex

    def mark(t: str, counts: dict) -> None:  # only a county that finished clean looks up its own index alone
        if not (counts["conflicts"] or counts["failed"]):
            reindex.mark_done(t)

    # 1: an ID number held twice, or members kept changing (see the output)
    return run(chosen(p, args, reindex.done), args.dry_run, lambda t: reindex.reindex(t, dry_run=args.dry_run), mark)


if __name__ == "__main__":
    sys.exit(main())
