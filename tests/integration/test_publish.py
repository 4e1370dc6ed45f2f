"""`mlreport publish` commits the built site to gh-pages with git, and pushes it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from mlreport.config import SiteSettings
from mlreport.publish import (
    CHECKED_OUT,
    LINK_OUTSIDE,
    NOT_A_REPOSITORY,
    NOT_A_SITE,
    NOT_AN_EXPORT,
)
from mlreport.site import build_site
from tests.conftest import run_cli
from tests.unit.test_pages import two_model_dataset

pytestmark = pytest.mark.integration


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def _site(root: Path, name: str) -> Path:
    if not (root / "export").exists():
        two_model_dataset().write(root / "export")
    build_site(
        root / "export", root / "site", settings=SiteSettings(site_name=name), work_dir=root / "w"
    )
    return root / "site"


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    git("init", "-q", "-b", "main", cwd=repo)
    (repo / "README.md").write_text("models\n")
    git("add", "README.md", cwd=repo)
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "start", cwd=repo)
    return repo


def test_publish_commits_the_site_with_nojekyll_and_keeps_history(
    repository: Path, tmp_path: Path
) -> None:
    site = _site(tmp_path, "first")
    head = git("rev-parse", "HEAD", cwd=repository)
    done = run_cli("publish", "--site", str(site), cwd=repository)
    assert done.returncode == 0, done.stderr
    files = set(git("ls-tree", "-r", "--name-only", "gh-pages", cwd=repository).splitlines())
    expected = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    assert files == (expected - {".mlreport-site", ".mlreport-output.json"}) | {".nojekyll"}
    index = git("show", "gh-pages:index.html", cwd=repository)
    assert index == (site / "index.html").read_text().strip()
    # the user's branch, index and working tree are untouched
    assert git("rev-parse", "HEAD", cwd=repository) == head
    assert git("branch", "--show-current", cwd=repository) == "main"
    assert git("status", "--porcelain", cwd=repository) == ""

    again = run_cli("publish", "--site", str(site), cwd=repository)
    assert again.returncode == 0 and "nothing to commit" in again.stdout
    assert git("rev-list", "--count", "gh-pages", cwd=repository) == "1"

    site = _site(tmp_path, "second")
    third = run_cli("publish", "--site", str(site), "--message", "nightly", cwd=repository)
    assert third.returncode == 0, third.stderr
    assert git("rev-list", "--count", "gh-pages", cwd=repository) == "2"
    assert git("log", "-1", "--format=%s", "gh-pages", cwd=repository) == "nightly"
    assert "second" in git("show", "gh-pages:index.html", cwd=repository)


def test_publish_pushes_to_a_bare_remote_without_a_git_identity(
    repository: Path, tmp_path: Path
) -> None:
    remote = tmp_path / "remote.git"
    git("init", "-q", "--bare", str(remote), cwd=tmp_path)
    git("remote", "add", "origin", str(remote), cwd=repository)
    site = _site(tmp_path, "pushed")
    home = tmp_path / "home"  # no ~/.gitconfig: no user.name or user.email
    home.mkdir()
    done = run_cli(
        "publish", "--site", str(site), "--push", "origin", cwd=repository,
        env={"HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1", "XDG_CONFIG_HOME": str(home)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "pushed gh-pages to origin" in done.stdout
    local = git("rev-parse", "gh-pages", cwd=repository)
    assert git("rev-parse", "gh-pages", cwd=remote) == local
    assert git("log", "-1", "--format=%an <%ae>", "gh-pages", cwd=remote) == (
        "mlreport <mlreport@localhost>"
    )
    assert git("cat-file", "-e", "gh-pages:.nojekyll", cwd=remote) == ""


def test_publish_errors_are_one_line(repository: Path, tmp_path: Path) -> None:
    missing = run_cli("publish", "--site", str(tmp_path / "nosite"), cwd=repository)
    assert missing.returncode == 1
    assert missing.stderr.strip() == "error: " + NOT_A_SITE.format(site=tmp_path / "nosite")
    site = _site(tmp_path, "s")
    outside = tmp_path / "outside"
    outside.mkdir()
    ceiling = {"GIT_CEILING_DIRECTORIES": str(tmp_path)}  # no repository above it either
    done = run_cli("publish", "--site", str(site), cwd=outside, env=ceiling)
    assert done.returncode == 1
    assert done.stderr.strip() == "error: " + NOT_A_REPOSITORY.format(path=outside.resolve())
    bad = run_cli("publish", "--site", str(site), "--push", "nowhere", cwd=repository)
    assert bad.returncode == 1
    assert bad.stderr.startswith("error: git push failed: ")
    assert len(bad.stderr.strip().splitlines()) == 1


def test_publish_can_carry_the_export_as_the_baseline_of_pull_requests(
    repository: Path, tmp_path: Path
) -> None:
    site = _site(tmp_path, "with data")
    done = run_cli(
        "publish", "--site", str(site), "--data", str(tmp_path / "export"), cwd=repository
    )
    assert done.returncode == 0, done.stderr
    manifest = git("show", "gh-pages:export/manifest.json", cwd=repository)
    assert manifest == (tmp_path / "export" / "manifest.json").read_text().strip()
    # what the pull-request workflow does to get the baseline
    baseline = tmp_path / "baseline"
    baseline.mkdir()
    archive = subprocess.run(
        ["git", "archive", "gh-pages", "export"], cwd=repository, capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(baseline)], input=archive.stdout, check=True)
    diffed = run_cli("diff", "--base", str(baseline / "export"), cwd=tmp_path)
    assert diffed.returncode == 0, diffed.stderr
    assert "1 experiments: 1 unchanged." in diffed.stdout
    missing = run_cli("publish", "--site", str(site), "--data", "nowhere", cwd=repository)
    assert missing.returncode == 1
    assert missing.stderr.strip() == "error: " + NOT_AN_EXPORT.format(data="nowhere")


def test_a_folder_with_a_manifest_of_its_own_is_not_published_as_the_export(
    repository: Path, tmp_path: Path
) -> None:
    """Issue 17 item 1, in publish: a web app's public/ has a manifest.json too."""
    site = _site(tmp_path, "with data")
    public = tmp_path / "public"
    public.mkdir()
    (public / "manifest.json").write_text('{"name": "app"}')
    done = run_cli("publish", "--site", str(site), "--data", str(public), cwd=repository)
    assert done.returncode == 1
    assert done.stderr.strip() == "error: " + NOT_AN_EXPORT.format(data=public)
    assert git("branch", "--list", "gh-pages", cwd=repository) == ""


def test_a_fresh_clone_builds_on_the_published_history(repository: Path, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    git("init", "-q", "--bare", str(remote), cwd=tmp_path)
    git("remote", "add", "origin", str(remote), cwd=repository)
    git("push", "-q", "origin", "main", cwd=repository)
    first = run_cli(
        "publish", "--site", str(_site(tmp_path, "one")), "--push", "origin", cwd=repository
    )
    assert first.returncode == 0, first.stderr
    for night in ("two", "three"):  # what a CI job does: a new clone, no local gh-pages
        clone = tmp_path / f"clone-{night}"
        git("clone", "-q", str(remote), str(clone), cwd=tmp_path)
        done = run_cli(
            "publish", "--site", str(_site(tmp_path, night)), "--push", "origin", cwd=clone
        )
        assert done.returncode == 0, done.stderr
    assert git("rev-list", "--count", "gh-pages", cwd=remote) == "3"
    assert "three" in git("show", "gh-pages:index.html", cwd=remote)


def test_a_checked_out_branch_is_left_alone(repository: Path, tmp_path: Path) -> None:
    site = _site(tmp_path, "site")
    assert run_cli("publish", "--site", str(site), cwd=repository).returncode == 0
    git("checkout", "-q", "gh-pages", cwd=repository)
    refused = run_cli("publish", "--site", str(_site(tmp_path, "other")), cwd=repository)
    assert refused.returncode == 1
    assert refused.stderr.strip() == "error: " + CHECKED_OUT.format(branch="gh-pages")
    assert git("status", "--porcelain", cwd=repository) == ""


def test_a_link_to_a_file_outside_the_site_is_refused(repository: Path, tmp_path: Path) -> None:
    """Issue 17 item 10: publish followed symbolic links, and committed the content of a
    file outside the site. Such a link is refused; a link within the site is published
    as the file it points to."""
    site = _site(tmp_path, "linked")
    secret = tmp_path / "secret.txt"
    secret.write_text("password\n")
    (site / "assets" / "notes.txt").symlink_to(secret)
    refused = run_cli("publish", "--site", str(site), cwd=repository)
    assert refused.returncode == 1
    link = site / "assets" / "notes.txt"
    assert refused.stderr.strip() == "error: " + LINK_OUTSIDE.format(
        link=link, target=secret, folder=site
    )
    assert not git("branch", "--list", "gh-pages", cwd=repository)  # nothing committed
    link.unlink()
    (tmp_path / "export" / "notes.txt").symlink_to(secret)
    with_data = ["--data", str(tmp_path / "export")]
    refused = run_cli("publish", "--site", str(site), *with_data, cwd=repository)
    assert refused.returncode == 1 and "notes.txt: it is a symbolic link to" in refused.stderr
    (tmp_path / "export" / "notes.txt").unlink()

    (site / "home.html").symlink_to("index.html")  # within the site
    done = run_cli("publish", "--site", str(site), cwd=repository)
    assert done.returncode == 0, done.stderr
    entry = git("ls-tree", "gh-pages", "home.html", cwd=repository)
    assert entry.startswith("100644 blob ")  # a file, not a link
    assert git("show", "gh-pages:home.html", cwd=repository) == git(
        "show", "gh-pages:index.html", cwd=repository
    )
    published = git("ls-tree", "-r", "--name-only", "gh-pages", cwd=repository).splitlines()
    assert "assets/notes.txt" not in published and "notes.txt" not in published
