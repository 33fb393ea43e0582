"""The Chalice construct, with a deployment package that does not carry the AWS SDK twice.

`chalice.cdk.Chalice` runs `chalice package`, which pip-downloads requirements.txt for Lambda (manylinux wheels
for python3.11). pynamodb depends on botocore, so botocore (~13 MB zipped) and its dependencies end up in the
zip although the python3.11 Lambda runtime already provides boto3, botocore, s3transfer, jmespath,
python-dateutil, six and urllib3. `SlimChalice` removes them from the zip after packaging.

Bytecode: Lambda cannot write bytecode (/var/task is read-only), so a package without it compiles every module
from source at every cold start (≈220 ms of CPU of ≈575 for GET /me, bench/cold_start.py). `slim_zip` compiles
the package with the interpreter that built it — chalice picks the Lambda runtime from that interpreter's version, so
the bytecode always matches — as unchecked-hash .pyc (used whatever the files' times). The app (app.py, chalicelib/)
keeps its sources beside __pycache__/ (tracebacks show its lines); dependencies ship their bytecode alone in place
of the sources (sourceless modules import the same way), which keeps the zip about as small as the sources were.

Caching: chalice keeps the dependency part of the package in `<repo>/.chalice/deployments/<hash>-python3.11.zip`
(the hash covers requirements.txt), and reuses it as long as requirements.txt does not change; only the first
synthesis after a change needs PyPI. To synthesize fully offline, copy that file from a machine (or CI cache)
that has it.
"""

from __future__ import annotations

import marshal
import os
import sys
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


# Top-level packages moved out of the shared zip into a Lambda layer of their own (LAYERS: layer name -> packages),
# attached only to the functions that use them (capability "layer:<name>" in functions.py): every other function's
# cold start unpacks less. rjieba (Chinese word segmentation with its dictionary, ~3.6 MB zipped) is used only by the
# stream function (chalicelib/insights/words.py).
LAYERS = {"segmentation": ("rjieba",)}


def _layer_of(name: str) -> str | None:
    top = name.split("/", 1)[0]
    if top.endswith((".dist-info", ".data")):
        top = top.split("-", 1)[0]
    return next((layer for layer, tops in LAYERS.items() if top in tops), None)


APP_SOURCES = ("app.py", "chalicelib/")  # shipped with their sources; everything else as bytecode alone
LAMBDA_ROOT = "/var/task"  # where Lambda unpacks the zip: the file names the bytecode records for tracebacks


def _bytecode(source: bytes, name: str) -> bytes:
    """An unchecked-hash .pyc of the source (PEP 552): valid whatever the files' times, never re-checked."""
    import importlib.util

    code = compile(source, f"{LAMBDA_ROOT}/{name}", "exec", dont_inherit=True)
    return importlib.util.MAGIC_NUMBER + (0b01).to_bytes(4, "little") + importlib.util.source_hash(source) + \
        marshal.dumps(code)


def layer_path(path: str | Path, layer: str) -> Path:
    """Where slim_zip writes the layer `layer` of the package at `path` (beside it)."""
    return Path(path).with_name(f"layer-{layer}.zip")


def slim_zip(path: str | Path) -> tuple[int, int]:
    """Rewrite the zip without runtime-provided packages, with bytecode; return (zipped, unzipped) sizes. The
    LAYERS' packages go to their layers' zips beside it (under python/, where Lambda puts a layer on sys.path)."""
    path = Path(path)
    tmp = path.with_suffix(".slim.zip")
    unzipped = 0
    tag = sys.implementation.cache_tag  # cpython-311
    layers = {name: zipfile.ZipFile(layer_path(path, name), "w", zipfile.ZIP_DEFLATED) for name in LAYERS}
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            name = info.filename
            if _provided(name) or "__pycache__/" in name or name.endswith(".pyc"):
                continue
            if layer := _layer_of(name):
                layers[layer].writestr(_renamed(info, f"python/{name}"), src.read(name))
                continue
            data = src.read(name)
            if name.endswith(".py") and name.startswith(APP_SOURCES):  # the source, and its bytecode in __pycache__/
                folder, _, module = name.rpartition("/")
                pyc = _bytecode(data, name)
                dst.writestr(_renamed(info, f"{folder}/__pycache__/{module[:-3]}.{tag}.pyc".lstrip("/")), pyc)
                unzipped += len(pyc)
            elif name.endswith(".py"):  # a dependency: its bytecode alone, where the source was
                data, info = _bytecode(data, name), _renamed(info, name[:-3] + ".pyc")
            unzipped += len(data)
            dst.writestr(info, data)
    for z in layers.values():
        z.close()
    os.replace(tmp, path)
    return path.stat().st_size, unzipped


def _renamed(info: zipfile.ZipInfo, name: str) -> zipfile.ZipInfo:
    out = zipfile.ZipInfo(name, date_time=info.date_time)
    out.external_attr, out.compress_type = info.external_attr, zipfile.ZIP_DEFLATED
    return out


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
