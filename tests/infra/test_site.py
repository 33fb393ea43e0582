"""/site.json (infra/cqt_infra/config.py `site`, uploaded with the web app): the cell it is and, once the stage sets
`directory_url`, the cells' directory the web app reads to send a county's link to its cell (docs/deploy.md,
"Cells")."""

from __future__ import annotations

import pytest
from cqt_infra import config

GLOBAL_URL = "https://d111111abcdef8.cloudfront.net/directory.json"
CHINA_URL = "https://d222222abcdef8.cloudfront.cn/directory.json"


def _deploy(region: str = "ap-east-1", **cfg):
    raw = config.load()
    raw["stages"] = {"x": {"regions": {region: cfg}}}
    (d,) = config.deployments(raw)
    return d


def test_every_site_names_its_cell_and_no_directory_by_default():
    d = _deploy()
    assert d.get("directory_url") is None
    assert config.site(d) == {"cell": "x-ap-east-1"}
    assert config.directory_origin(d) == ""


@pytest.mark.filterwarnings("ignore:.*_pending")
def test_the_repositorys_stages_name_their_cells():
    for d in config.deployments():
        assert config.site(d)["cell"] == f"{d.stage}-{d.region}"


@pytest.mark.parametrize("url", [GLOBAL_URL, "https://cells.example.com/cqt/prod/directory.json"])
def test_a_stage_with_its_directory_names_it(url):
    d = _deploy(directory_url=url)
    assert config.site(d) == {"cell": "x-ap-east-1", "directory": url}
    assert config.directory_origin(d) == " https://" + url.split("/")[2]  # the web app's CSP connect-src


@pytest.mark.parametrize("url", [
    "http://d111111abcdef8.cloudfront.net/directory.json",  # https only (no local stage in stages.json)
    "https://d111111abcdef8.cloudfront.net",  # the distribution, not the object
    "https://d111111abcdef8.cloudfront.net/",
    "https://d111111abcdef8.cloudfront.net/directory.json?x=1",
    "https://d111111abcdef8.cloudfront.net:8443/directory.json",
    "https://user@d111111abcdef8.cloudfront.net/directory.json",
    "https://Example/directory.json",
    "d111111abcdef8.cloudfront.net/directory.json",
    "",
    42,
    ["https://d111111abcdef8.cloudfront.net/directory.json"],
])
def test_a_directory_url_that_cannot_be_right_fails_synthesis(url):
    with pytest.raises(ValueError, match="directory_url must be the directory's https URL"):
        _deploy(directory_url=url)


def test_a_cell_reads_its_own_partitions_directory():
    with pytest.raises(ValueError, match="other partition"):
        _deploy(directory_url=CHINA_URL)
    assert config.site(_deploy(directory_url=GLOBAL_URL))["directory"] == GLOBAL_URL
