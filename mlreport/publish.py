"""Publish a built site to a branch (``gh-pages``) of the current git repository.

The site becomes a commit on the branch whose parent is the branch's previous commit, so the
published history is kept. It is written with git's plumbing (a temporary index, ``write-tree``,
``commit-tree``, ``update-ref``): the working tree, the index and the checked-out branch of the
repository are never touched. ``.nojekyll`` is added so that GitHub Pages serves the files as
they are (folders such as ``assets/`` would otherwise pass through Jekyll). A symbolic link
to anything outside the published folder is refused (it would publish that file); links
within it are published as the files they point to.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mlreport._fs import EXPORT_OUTPUT, OUTPUT_MARKER, is_output
from mlreport._git import git as _git
from mlreport.errors import MlreportError

NOT_A_SITE = "{site}/index.html does not exist: run `mlreport build` (or `mlreport site`) first"
NOT_A_REPOSITORY = "{path} is not inside a git repository: publish commits the site to a branch"
GIT_MISSING = "git is not installed (publish commits the site with git)"
NOT_AN_EXPORT = (
    "{data} is not an export mlreport wrote (it holds no .mlreport-output.json of an export): "
    "run `mlreport export` first"
)
CHECKED_OUT = (
    "{branch} is checked out in a worktree of this repository; switch to another branch "
    "first (publish never touches a working tree)"
)
DIVERGED = "{branch} and {remote}/{branch} have diverged; reconcile them first"
LINK_OUTSIDE = (
    "refusing to publish {link}: it is a symbolic link to {target}, outside {folder}; "
    "put the file itself there or remove the link"
)
DEFAULT_BRANCH = "gh-pages"
#: Where a published export sits on the branch.
PUBLISHED_EXPORT = "export"
DEFAULT_MESSAGE = "Publish the mlreport site"
#: Used only when git has no identity configured (e.g. on a fresh CI machine).
FALLBACK_IDENTITY = {"name": "mlreport", "email": "mlreport@localhost"}


@dataclass(frozen=True)
class PublishSummary:
    branch: str
    commit: str
    changed: bool  # False when the site equals the branch's last commit (nothing committed)
    pushed_to: str | None


def publish_site(
    site_dir: Path,
    *,
    repository: Path,
    branch: str = DEFAULT_BRANCH,
    message: str = DEFAULT_MESSAGE,
    remote: str | None = None,
    data_dir: Path | None = None,
) -> PublishSummary:
    """Commit ``site_dir`` (with ``.nojekyll``) on ``branch`` of the repository holding
    ``repository``, on top of the branch's history; push it to ``remote`` if given.

    With ``data_dir``, the export is published too, as ``export/`` beside the pages: the
    baseline a pull request's ``mlreport diff --base`` compares with.
    """
    from mlreport.site import SITE_RECORD

    if not (site_dir / "index.html").is_file():
        raise MlreportError(NOT_A_SITE.format(site=site_dir))
    _refuse_links_outside(site_dir)
    git_dir = _git_dir(repository)
    if _checked_out(git_dir, branch):
        raise MlreportError(CHECKED_OUT.format(branch=branch))
    with tempfile.TemporaryDirectory(prefix="mlreport-publish-") as scratch:
        content = Path(scratch) / "site"
        shutil.copytree(
            site_dir, content, ignore=shutil.ignore_patterns(SITE_RECORD, OUTPUT_MARKER)
        )
        (content / ".nojekyll").touch()
        if data_dir is not None:
            if not is_output(data_dir, EXPORT_OUTPUT):
                raise MlreportError(NOT_AN_EXPORT.format(data=data_dir))
            _refuse_links_outside(data_dir)
            shutil.rmtree(content / PUBLISHED_EXPORT, ignore_errors=True)
            shutil.copytree(data_dir, content / PUBLISHED_EXPORT)
        env = {**os.environ, "GIT_INDEX_FILE": str(Path(scratch) / "index")}
        base = ["--git-dir", str(git_dir), "--work-tree", str(content)]
        _git([*base, "add", "--all", "--force", "."], cwd=content, env=env)
        tree = _git([*base, "write-tree"], cwd=content, env=env)
    ref = f"refs/heads/{branch}"
    git = ["--git-dir", str(git_dir)]
    local = _git([*git, "rev-parse", "--verify", "--quiet", ref], check=False)
    parent = local
    if remote is not None:  # a CI checkout has only the remote's branch: build on it
        parent = _newest(git_dir, local, _fetch(git_dir, remote, branch), branch, remote)
    changed = True
    if parent:
        changed = _git([*git, "rev-parse", f"{parent}^{{tree}}"]) != tree
    commit = parent
    if changed:
        arguments = [*git, "commit-tree", tree, "-m", message]
        if parent:
            arguments += ["-p", parent]
        commit = _git(arguments, env=_with_identity(git_dir))
    if commit != local:
        update = [*git, "update-ref", ref, commit]
        _git([*update, local] if local else update)
    if remote is not None:
        _git([*git, "push", "--quiet", remote, f"{ref}:{ref}"])
    return PublishSummary(branch=branch, commit=commit, changed=changed, pushed_to=remote)


def _refuse_links_outside(folder: Path) -> None:
    """Raise on the first symbolic link in ``folder`` whose target is not inside it (or
    does not exist): copying the folder would publish what it points to."""
    root = folder.resolve()
    for parent, directories, files in os.walk(root):  # links to folders are not entered
        for name in sorted([*directories, *files]):
            link = Path(parent, name)
            if not link.is_symlink():
                continue
            target = link.resolve()
            if not target.exists() or not target.is_relative_to(root):
                shown = folder / link.relative_to(root)
                raise MlreportError(
                    LINK_OUTSIDE.format(link=shown, target=os.readlink(link), folder=folder)
                )


def _checked_out(git_dir: Path, branch: str) -> bool:
    """Whether ``branch`` is the checked-out branch of a worktree of the repository."""
    listing = _git(["--git-dir", str(git_dir), "worktree", "list", "--porcelain"], check=False)
    return f"branch refs/heads/{branch}" in listing.splitlines()


def _fetch(git_dir: Path, remote: str, branch: str) -> str:
    """The remote's tip of ``branch`` ('' if it has none yet)."""
    git = ["--git-dir", str(git_dir)]
    tracking = f"refs/remotes/{remote}/{branch}"
    _git([*git, "fetch", "--quiet", remote, f"+refs/heads/{branch}:{tracking}"], check=False)
    return _git([*git, "rev-parse", "--verify", "--quiet", tracking], check=False)


def _newest(git_dir: Path, local: str, remote_tip: str, branch: str, remote: str) -> str:
    """The tip to build on: whichever of the local and remote branch contains the other."""
    if not local or not remote_tip:
        return local or remote_tip

    def descends(newer: str, older: str) -> bool:
        merge_base = ["--git-dir", str(git_dir), "merge-base", older, newer]
        return _git(merge_base, check=False) == older

    if descends(remote_tip, local):
        return remote_tip
    if descends(local, remote_tip):
        return local
    raise MlreportError(DIVERGED.format(branch=branch, remote=remote))


def _git_dir(path: Path) -> Path:
    try:
        output = _git(["rev-parse", "--absolute-git-dir"], cwd=path, check=False)
    except FileNotFoundError as exc:
        raise MlreportError(GIT_MISSING) from exc
    if not output:
        raise MlreportError(NOT_A_REPOSITORY.format(path=path.resolve()))
    return Path(output)


def _with_identity(git_dir: Path) -> dict[str, str]:
    """The environment for a commit: git's own identity, else mlreport's fallback."""
    env = dict(os.environ)
    for key in ("name", "email"):
        configured = _git(["--git-dir", str(git_dir), "config", f"user.{key}"], check=False)
        if not configured:
            for role in ("AUTHOR", "COMMITTER"):
                env.setdefault(f"GIT_{role}_{key.upper()}", FALLBACK_IDENTITY[key])
    return env
