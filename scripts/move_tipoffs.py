"""Turn a stage's tip-offs filed before the case workflow into cases (chalicelib/tipoffs/migrate.py).

    python -m scripts.move_tipoffs --stage prod --all            # every county not yet done
    python -m scripts.move_tipoffs --stage prod --county 330825  # one county (again: safe, nothing left to move)

Run with the stage's AWS credentials and region (AWS_REGION). Prints one JSON line per county.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts._per_county import arguments, chosen  # noqa: E402


def main(argv=None) -> int:
    p, args = arguments("python -m scripts.move_tipoffs", argv)
    from chalicelib import manifests
    from chalicelib.tipoffs import migrate

    manifests.register()  # the case types
    tenants = chosen(p, args, migrate.done)
    for t in tenants:
        counts = migrate.backfill(t)
        migrate.mark_done(t, counts)
        print(json.dumps({"county": t, **counts}, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
