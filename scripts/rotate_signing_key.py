"""Rotate the access-token signing key of a stage (chalicelib/core/auth/keys.py).

    python -m scripts.rotate_signing_key --stage prod          # a new ES256 key becomes current
    python -m scripts.rotate_signing_key --stage prod --show   # the public key set: kids and retirement times

Run with the stage's AWS credentials and region (AWS_REGION); locally (`make dev` running) with the embedded AWS's
environment (AWS_ENDPOINT_URL). It publishes the new public key in the key set first, then moves the signing secret
to the new private key, and gives every other key a retirement time of now + the signer's cache
(SIGNING_CACHE_SECONDS) + the access-token lifetime (CQT_ACCESS_TOKEN_TTL): sessions carry on (a token signed by
the previous key is accepted until then; refresh tokens do not depend on the signing key). Keys past their
retirement are dropped. On a new stage the first run makes the first key (until then the /auth routes answer 503).
Prints one JSON line, without key material.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m scripts.rotate_signing_key")
    p.add_argument("--stage", help="the deployment stage (CQT_STAGE); default: the environment's")
    p.add_argument("--show", action="store_true", help="print the public key set's kids and retirements only")
    args = p.parse_args(argv)
    if args.stage:
        os.environ["CQT_STAGE"] = args.stage  # before any settings are read
    from chalicelib.core import clock
    from chalicelib.core.auth import keys
    from chalicelib.core.aws import client
    from chalicelib.core.config import settings

    s, sm = settings(), client("secretsmanager")
    if not args.show:
        out = keys.rotate(sm, signing_secret=s.signing_secret_name, jwks_secret=s.jwks_secret_name,
                          now=clock.epoch(), max_token_ttl=s.access_token_ttl)
        if out["retire_at"]:
            out["retire_at_iso"] = clock.iso(dt.datetime.fromtimestamp(out["retire_at"], dt.UTC))
        print(json.dumps({"stage": s.stage, "rotated": True, **out}), flush=True)
        return 0
    jwks = json.loads(sm.get_secret_value(SecretId=s.jwks_secret_name)["SecretString"] or "{}")
    print(json.dumps({"stage": s.stage, "keys": [{"kid": k["kid"], "not_after": k.get("not_after")}
                                                 for k in jwks.get("keys", [])]}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
