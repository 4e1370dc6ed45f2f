"""First and second calls of `mlreport check` and `diff --base`, against the code before.

Issue 16: the analysis stage (fairness reports above all, about 1.4 s per model with
fairlearn; model evaluations; scaling) is computed once per content and kept on disk by
content hash under the project's work dir, ``.mlreport/analysis/`` of the directory
mlreport runs in. Goal: on the bundled examples' export, the second call of ``check`` and
of ``diff --base``, with the export unchanged, costs at most 10% of the first.

Two code versions, measured in the same run (the machines are noisy and shared):

* today's code: ``--baseline-ref`` (default 7806df1, the commit before issue 16), extracted
  with ``git -C <repo> archive <ref> | tar -x`` into a temporary folder;
* the new code: this checkout's working tree (``PYTHONPATH=<repo root>``); a digest of its
  ``mlreport/`` sources is taken before and after the timings, and a warning printed if
  they changed meanwhile (the cache's keys cover the code: a second call then recomputes).

Both run as ``python -m mlreport`` with this script's interpreter (``sys.executable``) and
``PYTHONPATH`` set to the version's root; everything else in the environment is passed on
as it is (with ``PYTHONDONTWRITEBYTECODE=1`` both versions compile their own sources on
every call: the same for both, and it is part of the floor below).

The export: ``--export DIR`` is copied; without it the script first runs ``mlreport build``
(new code, SQLite store) in a temporary copy of the repository's ``experiments/`` (about
5 minutes on two cores, untimed) and uses its ``export/``.

Timed (wall clock of the subprocess), for each version, each command and each of
``--repeats`` repeats, in a fresh empty working directory holding a copy of the export as
``export/`` (so the cache starts empty; ``check`` and ``diff`` do not share one):

* ``python -m mlreport check --data export``, twice: the first call, then the second;
* ``python -m mlreport diff --base export --data export``, twice.

``check`` exits 1 on these examples (the Adult models fail fairness gates): exit codes 0
and 1 are accepted for ``check``, 0 for ``diff``; anything else is an error (printed with
its standard error, and the time is not counted). Repeats are interleaved (repeat, then
command, then version) so that a noisy minute hits both versions; medians are reported.
The standard outputs are compared: the new code's against today's code's, and each
version's second call against its first.

The floor of every call, timed the same way per version and repeat: ``python -c "import
mlreport.cli"`` (interpreter start-up plus the CLI's imports), and ``python -c "import
mlreport.cli, mlreport.<command>"`` (plus the module the command runs, with what it imports
at the top). A second call cannot cost less than its floor; when 10% of the first call is
below it, the goal cannot be met by caching alone, and the script says so rather than
hiding it.

Run from the repository root:
``.venv/bin/python bench/check_diff_cache.py [--quick] [--export DIR] [--repeats N]``.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import hashlib
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from _common import header, median, parse_with_defaults, parser, ratio, seconds, verdict

REPO = Path(__file__).resolve().parent.parent
GOAL = 0.10  # second call / first call
DEFAULT_BASELINE_REF = "7806df1"
NEW, TODAY = "new", "today"
COMMANDS: dict[str, tuple[str, ...]] = {
    "check": ("check", "--data", "export"),
    "diff": ("diff", "--base", "export", "--data", "export"),
}
ACCEPTED_EXIT = {"check": (0, 1), "diff": (0,)}
CALLS = ("first", "second")


@dataclass(frozen=True)
class Code:
    """One version of mlreport: a label, a description, and the folder on PYTHONPATH."""

    label: str
    describe: str
    root: Path

    def environment(self) -> dict[str, str]:
        return {**os.environ, "PYTHONPATH": str(self.root)}


@dataclass(frozen=True)
class Call:
    """A timed subprocess: wall time (NaN if it failed or timed out) and its stdout."""

    seconds: float
    stdout: str


@dataclass
class Timings:
    """Per (version, command): the first and second calls of each repeat."""

    calls: dict[tuple[str, str, str], list[Call]] = field(default_factory=dict)
    floors: dict[tuple[str, str], list[float]] = field(default_factory=dict)

    def add(self, version: str, command: str, call: str, result: Call) -> None:
        self.calls.setdefault((version, command, call), []).append(result)

    def seconds(self, version: str, command: str, call: str) -> list[float]:
        return [c.seconds for c in self.calls.get((version, command, call), [])]

    def median(self, version: str, command: str, call: str) -> float:
        return median(self.seconds(version, command, call))

    def outputs(self, version: str, command: str, call: str) -> list[str]:
        return [c.stdout for c in self.calls.get((version, command, call), [])]


def run(
    label: str, argv: list[str], code: Code, cwd: Path, accepted: tuple[int, ...], timeout: float
) -> Call:
    """Run ``argv`` in ``cwd`` with ``code`` on PYTHONPATH; print and return its wall time."""
    started = time.perf_counter()
    try:
        done = subprocess.run(
            argv, cwd=cwd, env=code.environment(), capture_output=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        print(f"{label}: stopped after {timeout:g} s", flush=True)
        return Call(math.nan, "")
    elapsed = time.perf_counter() - started
    stdout = done.stdout.decode(errors="replace")
    if done.returncode not in accepted:
        stderr = done.stderr.decode(errors="replace").strip().splitlines()
        print(f"{label}: FAILED (exit {done.returncode}) after {seconds(elapsed)}")
        print("  " + "\n  ".join(stderr[-20:]), flush=True)
        return Call(math.nan, stdout)
    print(f"{label}: {seconds(elapsed)} (exit {done.returncode})", flush=True)
    return Call(elapsed, stdout)


def mlreport(*args: str) -> list[str]:
    return [sys.executable, "-m", "mlreport", *args]


def extract(repo: Path, ref: str, target: Path) -> str:
    """``git archive`` of ``ref`` unpacked into ``target``; returns the short commit."""
    commit = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "--short", f"{ref}^{{commit}}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    target.mkdir(parents=True)
    archive = subprocess.Popen(["git", "-C", str(repo), "archive", commit], stdout=subprocess.PIPE)
    unpack = subprocess.run(["tar", "-x", "-C", str(target)], stdin=archive.stdout, check=False)
    if archive.stdout is not None:
        archive.stdout.close()
    if archive.wait() != 0 or unpack.returncode != 0:
        raise SystemExit(f"could not extract {ref} of {repo} into {target}")
    return commit


def working_tree(repo: Path) -> str:
    """HEAD's short commit and how many files under mlreport/ differ from it (read-only)."""
    git = ["git", "--no-optional-locks", "-C", str(repo)]
    head = subprocess.run(
        [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    changed = subprocess.run(
        [*git, "status", "--porcelain", "--", "mlreport"], capture_output=True, text=True
    ).stdout.splitlines()
    return f"working tree at {head or '?'}" + (
        f" + {len(changed)} changed files under mlreport/" if changed else ""
    )


def code_digest(root: Path) -> str:
    """A hash of the Python sources under ``root/mlreport``: the new code is a working tree
    others may edit while the benchmark runs."""
    digest = hashlib.sha256()
    for path in sorted((root / "mlreport").rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        with contextlib.suppress(OSError):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def build_export(root: Path, code: Code, timeout: float) -> Path:
    """``mlreport build`` of a copy of the repository's experiments; returns its export."""
    folder = root / "build"
    folder.mkdir()
    shutil.copytree(REPO / "experiments", folder / "experiments")
    print("building the bundled examples' export (mlreport build, untimed) ...", flush=True)
    done = run(
        "mlreport build",
        mlreport("build", "--tracking-uri", "sqlite:///mlflow.db"),
        code,
        folder,
        (0,),
        timeout,
    )
    export = folder / "export"
    if math.isnan(done.seconds) or not (export / "manifest.json").is_file():
        raise SystemExit("mlreport build did not produce an export")
    return export


def floor_imports() -> list[str]:
    """What the floor calls import: the CLI, then the CLI and each command's module."""
    return ["mlreport.cli", *(command_imports(command) for command in COMMANDS)]


def command_imports(command: str) -> str:
    return f"mlreport.cli, mlreport.{command}"


def measure(codes: list[Code], export: Path, root: Path, repeats: int, timeout: float) -> Timings:
    timings = Timings()
    for repeat in range(1, repeats + 1):
        print(f"-- repeat {repeat} of {repeats}", flush=True)
        for code in codes:
            floor_dir = root / f"floor-{code.label}-{repeat}"
            floor_dir.mkdir()
            for modules in floor_imports():
                floor = run(
                    f"{code.label} code: python -c 'import {modules}'",
                    [sys.executable, "-c", f"import {modules}"],
                    code,
                    floor_dir,
                    (0,),
                    timeout,
                )
                timings.floors.setdefault((code.label, modules), []).append(floor.seconds)
        for command, args in COMMANDS.items():
            for code in codes:
                work = root / f"{code.label}-{command}-{repeat}"
                work.mkdir()
                shutil.copytree(export, work / "export")
                for call in CALLS:
                    timings.add(
                        code.label,
                        command,
                        call,
                        run(
                            f"{code.label} code: mlreport {' '.join(args)} ({call} call)",
                            mlreport(*args),
                            code,
                            work,
                            ACCEPTED_EXIT[command],
                            timeout,
                        ),
                    )
    return timings


def compare_outputs(timings: Timings, command: str) -> bool:
    """Whether every call of ``command`` printed the same standard output; prints the
    first difference against today's code's first call."""
    reference = timings.outputs(TODAY, command, "first")
    if not reference:
        return False
    expected = reference[0]
    same = True
    for version in (TODAY, NEW):
        for call in CALLS:
            for number, output in enumerate(timings.outputs(version, command, call), start=1):
                if output == expected:
                    continue
                if same:
                    lines = difflib.unified_diff(
                        expected.splitlines(),
                        output.splitlines(),
                        f"today first call {command}",
                        f"{version} {call} call {command}, repeat {number}",
                        lineterm="",
                    )
                    print("\n".join(list(lines)[:30]))
                same = False
    return same


def report(timings: Timings, codes: list[Code]) -> None:
    print()
    print("| code | command | first call | second call | second / first |")
    print("| --- | --- | ---: | ---: | ---: |")
    for command in COMMANDS:
        for code in codes:
            first = timings.median(code.label, command, "first")
            second = timings.median(code.label, command, "second")
            print(
                f"| {code.label} | {command} | {seconds(first)} | {seconds(second)} | "
                f"{_percent(ratio(second, first))} |"
            )
    print()
    print("raw seconds (first / second call per repeat):")
    for command in COMMANDS:
        for code in codes:
            pairs = zip(
                timings.seconds(code.label, command, "first"),
                timings.seconds(code.label, command, "second"),
                strict=True,
            )
            print(f"  {code.label} {command}: " + ", ".join(f"{a:.2f} / {b:.2f}" for a, b in pairs))
    print("floor (median; per repeat):")
    for (version, modules), values in timings.floors.items():
        print(
            f"  {version} code, python -c 'import {modules}': {seconds(median(values))} ("
            + ", ".join(f"{v:.2f}" for v in values)
            + ")"
        )
    print()
    for command in COMMANDS:
        identical = compare_outputs(timings, command)
        print(f"{command} outputs identical: {'yes' if identical else 'no'}")
    print()
    for command in COMMANDS:
        first = timings.median(NEW, command, "first")
        second = timings.median(NEW, command, "second")
        share = ratio(second, first)
        floor = median(timings.floors.get((NEW, command_imports(command)), []))
        print(
            f"{command}: 10% of the new code's first call is {seconds(GOAL * first)}; its floor "
            f"(start-up plus importing mlreport.cli and mlreport.{command}) is "
            f"{seconds(floor)} = {_percent(ratio(floor, first))} of the first call"
        )
        met = None if math.isnan(share) else share <= GOAL
        print(
            f"RESULT {command}: second call {_percent(share)} of first ({seconds(second)} / "
            f"{seconds(first)}) (goal <= {GOAL:.0%}): {verdict(met)}"
        )
        today_second = timings.median(TODAY, command, "second")
        print(
            f"RESULT {command}: new code's second call {ratio(today_second, second):.1f}x "
            f"faster than today's code's second call ({seconds(second)} against "
            f"{seconds(today_second)})"
        )


def _percent(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.1%}"


def main() -> None:
    args = _arguments()
    root = Path(tempfile.mkdtemp(prefix="mlreport-bench-check-diff-"))
    try:
        baseline_commit = extract(REPO, args.baseline_ref, root / "baseline-code")
        codes = [
            Code(TODAY, f"{baseline_commit} ({args.baseline_ref})", root / "baseline-code"),
            Code(NEW, working_tree(REPO), REPO),
        ]
        header(
            "mlreport check and diff --base, first and second call (issue 16)",
            goal=f"second call <= {GOAL:.0%} of the first, for check and for diff, "
            "with an unchanged export",
            settings={
                "quick": args.quick,
                "repeats": args.repeats,
                "export": args.export or "mlreport build of experiments/ (new code)",
                **{f"{code.label} code": code.describe for code in codes},
                "python": sys.executable,
                "PYTHONDONTWRITEBYTECODE": os.environ.get("PYTHONDONTWRITEBYTECODE", "unset"),
                "timeout per command": f"{args.timeout:g} s",
            },
        )
        if args.export is not None:
            export = args.export.resolve()
            if not (export / "manifest.json").is_file():
                raise SystemExit(f"{export} is not an mlreport export (no manifest.json)")
        else:
            export = build_export(root, codes[1], args.build_timeout)
        before = code_digest(REPO)
        timings = measure(codes, export, root, args.repeats, args.timeout)
        after = code_digest(REPO)
        report(timings, codes)
        if before != after:
            print(
                f"\nWARNING: the new code's sources changed during the run (digest {before} -> "
                f"{after}): its calls mix versions, and a second call may have missed the cache"
            )
    finally:
        if args.keep:
            print(f"\nkept: {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


def _arguments() -> argparse.Namespace:
    cli = parser(__doc__.splitlines()[0] if __doc__ else "")
    cli.add_argument(
        "--export",
        type=Path,
        default=None,
        help="an export of the bundled examples to copy; default: run `mlreport build` of a "
        "copy of experiments/ first (about 5 minutes on two cores)",
    )
    cli.add_argument(
        "--baseline-ref",
        default=DEFAULT_BASELINE_REF,
        help="the git commit of today's code (the commit before issue 16)",
    )
    cli.add_argument(
        "--repeats",
        type=int,
        default=None,
        help="fresh working directories per version and command; default 3, quick 1",
    )
    cli.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="seconds after which one check or diff call is stopped; default 1800, quick 600",
    )
    cli.add_argument(
        "--build-timeout",
        type=float,
        default=3600.0,
        help="seconds after which `mlreport build` (no --export) is stopped",
    )
    cli.add_argument("--keep", action="store_true", help="keep the temporary folder")
    return parse_with_defaults(cli, {"repeats": (3, 1), "timeout": (1800.0, 600.0)})


if __name__ == "__main__":
    main()
