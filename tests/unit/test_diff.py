"""`mlreport diff`: the Markdown names exactly what changed, escapes run data, stays short."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from mlreport import schema
from mlreport.analysis import ExperimentChange, analyse, compare_exports, fairness_report
from mlreport.analysis._compare import Best, FailedRun
from mlreport.dataset import Dataset
from mlreport.diff import COMMENT_LIMIT, diff_markdown, markdown_text
from tests.builders import DatasetBuilder
from tests.conftest import run_cli

HOSTILE_RUN = "bad | <b>run</b> `tick`"


def _predictions(biased: bool) -> pd.DataFrame:
    """400 women and 400 men with equal rates; ``biased`` halves women's predicted positives."""
    rng = np.random.default_rng(0)
    actual = np.tile(np.repeat([1, 0], [160, 240]), 2)
    predicted = np.where(rng.random(800) < 0.9, actual, 1 - actual)
    sex = np.repeat(["F", "M"], 400)
    if biased:
        women_selected = np.flatnonzero((sex == "F") & (predicted == 1))
        predicted[women_selected[::2]] = 0
    return pd.DataFrame(
        {
            "y_true": np.where(actual == 1, "yes", "no"),
            "y_pred": np.where(predicted == 1, "yes", "no"),
            "sensitive_sex": sex,
        }
    )


def _export(*, head: bool) -> Dataset:
    builder = DatasetBuilder()
    builder.experiment("1", "demo")
    trials = [
        ({"C": "0.1"}, {"cv_roc_auc_mean": 0.80, "fit_time_s": 0.5, "rank": 3}),
        ({"C": "1.0"}, {"cv_roc_auc_mean": 0.85, "fit_time_s": 0.6, "rank": 2}),
    ]
    if head:  # a new candidate, better than every other
        trials.append(({"C": "10"}, {"cv_roc_auc_mean": 0.95, "fit_time_s": 0.7, "rank": 1}))
    builder.search(
        "1", "demo", "lr", primary="roc_auc", trials=trials, test_scores={"roc_auc": 0.84}
    )
    builder.search(
        "1",
        "demo",
        "forest",
        primary="roc_auc",
        trials=[
            ({"max_depth": "3"}, {"cv_roc_auc_mean": 0.90, "fit_time_s": 2.0, "rank": 1}),
            ({"max_depth": "9"}, {"fit_time_s": 2.5}),  # failed in both builds
        ],
        test_scores={"roc_auc": 0.93 if head else 0.91},
    )
    if head:
        builder.run(
            "new-failure",
            "1",
            name=HOSTILE_RUN,
            status="FAILED",
            tags={
                schema.TAG_EXPERIMENT: "demo",
                schema.TAG_MODEL: "forest",
                schema.TAG_ROLE: schema.ROLE_TRIAL,
                schema.TAG_ERROR: "ValueError: <x>",
            },
        )
    builder.experiment("2", "stable")
    builder.search(
        "2",
        "stable",
        "only",
        primary="accuracy",
        trials=[({"C": "1"}, {"cv_accuracy_mean": 0.7, "fit_time_s": 0.1, "rank": 1})],
        test_scores={"accuracy": 0.7},
    )
    builder.predictions["forest-best"] = _predictions(biased=head)
    return builder.build()


def _section(markdown: str, name: str) -> list[str]:
    part = markdown.split(f"### {name}\n", 1)[1].split("\n### ", 1)[0]
    return [line for line in part.strip().splitlines() if line]


def test_the_summary_names_exactly_the_differences() -> None:
    base, head = _export(head=False), _export(head=True)
    markdown = diff_markdown(compare_exports(analyse(base), analyse(head), top=2), top=2)
    fair = fairness_report(base.predictions["forest-best"], ["sex"], bootstrap=200)
    biased = fairness_report(head.predictions["forest-best"], ["sex"], bootstrap=200)
    ratio = (fair.thresholds[0].value, biased.thresholds[0].value)
    odds = (fair.thresholds[1].value, biased.thresholds[1].value)
    assert ratio[0] >= 0.8 > ratio[1] and odds[0] <= 0.1 < odds[1]
    assert _section(markdown, "demo") == [
        "- Best model: **forest**, test roc\\_auc 0.9100 → 0.9300 (+0.0200).",
        "- Entered the top 2: lr (C=10) 0.9500.",
        "- Left the top 2: lr (C=1\\.0) 0.8500.",
        f"- Fairness, forest: demographic parity ratio by sex {ratio[0]:.2f} → {ratio[1]:.2f} "
        "(pass → fail).",
        f"- Fairness, forest: equalized odds difference by sex {odds[0]:.2f} → {odds[1]:.2f} "
        "(pass → fail).",
        "- New failed run bad \\| &lt;b&gt;run&lt;/b&gt; \\`tick\\` (forest): "
        "ValueError: &lt;x&gt;.",
    ]
    assert "### stable" not in markdown  # unchanged: a table row only
    rows = [line for line in markdown.splitlines() if line.startswith("| ")]
    assert rows[2:] == [
        "| demo | changed | forest | roc\\_auc 0.9300 | +0.0200 | 2 | 1 |",
        "| stable | unchanged | only | accuracy 0.7000 | +0.0000 | 0 | 0 |",
    ]
    # nothing taken from run data can break the table or inject markup
    assert HOSTILE_RUN not in markdown and "<b>" not in markdown
    assert "2 experiments: 1 changed, 1 unchanged." in markdown


def test_no_change_gives_no_section_and_links_go_to_the_site() -> None:
    base = _export(head=False)
    markdown = diff_markdown(
        compare_exports(analyse(base), analyse(base)), site_url="https://acme.github.io/models/"
    )
    assert "###" not in markdown
    assert "| [demo](https://acme.github.io/models/experiments/demo.html) | unchanged |" in (
        markdown
    )


def test_markdown_text_escapes_everything_that_has_a_meaning() -> None:
    text = markdown_text("a|b <script>x</script> `c` [l](javascript:x) *e* _u_ # h\nline @me #1")
    assert text == (
        "a\\|b &lt;script&gt;x&lt;/script&gt; \\`c\\` \\[l\\]\\(javascript:x\\) "
        "\\*e\\* \\_u\\_ \\#\u200b h line @\u200bme \\#\u200b1"
    )  # no mention of a user, no link to an issue


def test_a_huge_change_stays_under_the_comment_limit() -> None:
    failures = tuple(FailedRun(f"run {i} " + "x" * 200, "m", "boom " * 50) for i in range(400))
    change = ExperimentChange(
        name="e",
        status="changed",
        primary_metric="accuracy",
        best_before=Best("m", 0.5),
        best_after=Best("m", 0.6),
        entered=(),
        left=(),
        fairness=(),
        failing_thresholds=0,
        new_failures=failures,
    )
    changes = [replace(change, name=f"experiment {i}") for i in range(300)]
    markdown = diff_markdown(changes)
    assert len(markdown) <= COMMENT_LIMIT
    assert "And 395 more new failed runs." in markdown  # lists shortened first
    assert "more experiments changed; see the site for them." in markdown
    assert markdown.count("| experiment ") == 300  # every experiment keeps its table row


def test_the_command_prints_the_summary(tmp_path: Path) -> None:
    builder_base, builder_head = DatasetBuilder(), DatasetBuilder()
    for builder, score in ((builder_base, 0.8), (builder_head, 0.9)):
        builder.experiment("1", "demo")
        builder.search(
            "1",
            "demo",
            "lr",
            primary="accuracy",
            trials=[({"C": "1"}, {"cv_accuracy_mean": score, "fit_time_s": 0.1, "rank": 1})],
            test_scores={"accuracy": score},
        )
    builder_base.write(tmp_path / "base")
    builder_head.write(tmp_path / "export")
    done = run_cli("diff", "--base", "base", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "- Best model: **lr**, test accuracy 0.8000 → 0.9000 (+0.1000)." in done.stdout
    missing = run_cli("diff", "--base", "nowhere", cwd=tmp_path)
    assert missing.returncode == 1 and "no export in nowhere" in missing.stderr


def test_page_urls_depend_only_on_names_so_old_links_keep_working() -> None:
    from mlreport.config import SiteSettings
    from mlreport.site import build_pages

    base, head = _export(head=False), _export(head=True)
    before = {page.path for page in build_pages(analyse(base), SiteSettings())}
    after = {page.path for page in build_pages(analyse(head), SiteSettings())}
    assert before == after  # new runs, scores and failures: the same pages at the same paths
    assert "experiments/demo/forest.md" in after
    assert "experiments/demo/fairness/forest.md" in after


def test_a_huge_table_counts_unchanged_experiments_and_keeps_rows_whole() -> None:
    unchanged = ExperimentChange(
        name="unchanged " + "n" * 150,
        status="unchanged",
        primary_metric="accuracy",
        best_before=Best("m", 0.5),
        best_after=Best("m", 0.5),
        entered=(),
        left=(),
        fairness=(),
        failing_thresholds=0,
        new_failures=(),
    )
    changed = replace(unchanged, name="changed", status="changed", best_after=Best("m", 0.6))
    changes = [replace(unchanged, name=f"{i} {unchanged.name}") for i in range(600)] + [changed]
    markdown = diff_markdown(changes, site_url="https://example.org/")
    assert len(markdown) <= COMMENT_LIMIT
    assert "_Not in the table: 600 experiments (600 unchanged)._" in markdown
    rows = [line for line in markdown.splitlines() if line.startswith("| ")]
    assert rows[2:] == [
        "| [changed](https://example.org/experiments/changed.html) | changed | m "
        "| accuracy 0.6000 | +0.1000 | 0 | 0 |"
    ]
    assert "### changed" in markdown


def _rates(positives_b: int) -> pd.DataFrame:
    """Groups a and b of 500 positives and 500 negatives: true positive rates 0.6 and
    ``positives_b`` / 500, false positive rates 0.2."""
    rows = []
    for group, tp in (("a", 300), ("b", positives_b)):
        pairs = (("yes", "yes", tp), ("yes", "no", 500 - tp), ("no", "yes", 100), ("no", "no", 400))
        rows += [(truth, predicted, group) for truth, predicted, n in pairs for _ in range(n)]
    return pd.DataFrame(rows, columns=["y_true", "y_pred", "sensitive_g"])


def _one_model(score: float, positives_b: int) -> Dataset:
    builder = DatasetBuilder()
    builder.experiment("1", "demo")
    builder.one_candidate_search(cv_score=0.8, test_scores={"roc_auc": score})
    builder.predictions["lr-best"] = _rates(positives_b)
    return builder.build()


def test_a_small_change_has_the_digits_that_show_it() -> None:
    """Issue 17 item 8: a change of 0.00001 reads +0.00001, not +0.0000; an equalized odds
    difference of 0.104 against a maximum of 0.1 reads 0.104, not 0.10."""
    base, head = _one_model(0.8, positives_b=255), _one_model(0.80001, positives_b=248)
    markdown = diff_markdown(compare_exports(analyse(base), analyse(head)))
    assert "| demo | changed | lr | roc\\_auc 0.8000 | +0.00001 | 1 | 0 |" in markdown
    assert _section(markdown, "demo") == [
        "- Best model: **lr**, test roc\\_auc 0.8000 → 0.80001 (+0.00001).",
        "- Fairness, lr: demographic parity ratio by g 0.89 → 0.87 (pass → pass).",
        "- Fairness, lr: equalized odds difference by g 0.09 → 0.104 (pass → fail).",
    ]
