"""The Chalice construct, with a deployment package that does not carry the AWS SDK twice.

`chalice.cdk.Chalice` runs `chalice package`, which pip-downloads requirements.txt for Lambda (manylinux wheels
for python3.11). pynamodb depends on botocore, so botocore (~13 MB zipped) and its dependencies end up in the
zip although the python3.11 Lambda runtime already provides boto3, botocore, s3transfer, jmespath,
python-dateutil, six and urllib3. `SlimChalice` removes them from the zip after packaging.

Caching: chalice keeps the dependency part of the package in `<repo>/.chalice/deployments/<hash>-python3.11.zip`
(the hash covers requirements.txt), and reuses it as long as requirements.txt does not change; only the first
synthesis after a change needs PyPI. To synthesize fully offline, copy that file from a machine (or CI cache)
that has it.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from chalice.cdk import Chalice

# Top-level packages (and their *.dist-info) that the Lambda python3.11 runtime provides.
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "python_dateutil", "six",
                    "urllib3")


def _provided(name: str) -> bool:
    top = name.split("/", 1)[0]
    if top.endswith((".dist-info", ".data")):
        top = top.split("-", 1)[0]
    top = top.removesuffix(".py")
    return top in RUNTIME_PROVIDED


def slim_zip(path: str | Path) -> tuple[int, int]:
    """Rewrite the zip without runtime-provided packages and bytecode; return (zipped, unzipped) sizes."""
    path = Path(path)
    tmp = path.with_suffix(".slim.zip")
    unzipped = 0
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if _provided(info.filename) or "__pycache__/" in info.filename or info.filename.endswith(".pyc"):
                continue
            unzipped += info.file_size
            dst.writestr(info, src.read(info.filename))
    os.replace(tmp, path)
    return path.stat().st_size, unzipped


class SlimChalice(Chalice):
    """chalice.cdk.Chalice whose deployment.zip leaves boto3/botocore to the Lambda runtime."""

    package_sizes: tuple[int, int] = (0, 0)

    def _package_app(self) -> None:
        super()._package_app()
        self.package_sizes = slim_zip(os.path.join(self._sam_package_dir, "deployment.zip"))

    @property
    def sam_dict(self) -> dict:
        import json

        with open(os.path.join(self._sam_package_dir, "sam.json")) as f:
            return json.load(f)
