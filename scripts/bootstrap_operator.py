"""Register the first platform operator of a deployment (run once per stage, with the stage's AWS credentials).

    CQT_STAGE=prod AWS_REGION=cn-north-1 python scripts/bootstrap_operator.py --phone 13800000000 --name 张三

Further operators and every county's first admin are then created through the API.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv=None) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--phone", required=True)
    p.add_argument("--name", required=True)
    args = p.parse_args(argv)
    from chalicelib.core import pii
    from chalicelib.core.auth import service as auth
    from chalicelib.core.db import PLATFORM
    from chalicelib.core.tenancy import PLATFORM_OPERATOR, Grant

    phone = pii.normalise_phone(args.phone)
    user, created = auth.add_grants(PLATFORM, phone, args.name, [Grant(PLATFORM_OPERATOR, "*")],
                                    invited_by="bootstrap")
    print(f"platform operator {'created' if created else 'updated'}: {user.uid} ({pii.mask_phone(phone)})")


if __name__ == "__main__":
    main()
