"""Build exported datasets in memory, following the Parquet schema, for pure tests."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from mlreport import schema
from mlreport._fs import EXPORT_OUTPUT, mark_as_output
from mlreport.dataset import Dataset

T0 = 1_790_000_000_000  # a fixed timestamp (ms)


@dataclass
class DatasetBuilder:
    rows: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {name: [] for name in schema.TABLES}
    )
    predictions: dict[str, pd.DataFrame] = field(default_factory=dict)
    explanations: dict[str, pd.DataFrame] = field(default_factory=dict)
    weights: dict[str, pd.DataFrame] = field(default_factory=dict)
    scaling: dict[str, pd.DataFrame] = field(default_factory=dict)
    _clock: int = T0

    def experiment(self, experiment_id: str, name: str, *, description: str = "") -> None:
        self.rows["experiments"].append(
            {
                "experiment_id": experiment_id,
                "name": name,
                "lifecycle_stage": "active",
                "artifact_location": f"/tmp/{experiment_id}",
                "creation_time": T0,
                "last_update_time": T0,
            }
        )
        if description:
            self.rows["experiment_tags"].append(
                {
                    "experiment_id": experiment_id,
                    "key": schema.EXPERIMENT_DESCRIPTION_TAG,
                    "value": description,
                }
            )

    def run(
        self,
        run_id: str,
        experiment_id: str,
        *,
        name: str = "",
        status: str = "FINISHED",
        parent: str | None = None,
        params: dict[str, str] | None = None,
        metrics: dict[str, float] | None = None,
        tags: dict[str, str] | None = None,
        deleted: bool = False,
    ) -> None:
        self._clock += 1000
        self.rows["runs"].append(
            {
                "run_id": run_id,
                "experiment_id": experiment_id,
                "run_name": name,
                "status": status,
                "lifecycle_stage": "deleted" if deleted else "active",
                "start_time": self._clock,
                "end_time": self._clock + 500,
                "duration_s": 0.5,
                "parent_run_id": parent,
                "user_id": "tester",
                "artifact_uri": f"/tmp/{run_id}",
            }
        )
        all_tags = dict(tags or {})
        if parent:
            all_tags[schema.PARENT_RUN_TAG] = parent
        for key, value in (params or {}).items():
            self.rows["params"].append({"run_id": run_id, "key": key, "value": value})
        for key, value in all_tags.items():
            self.rows["tags"].append({"run_id": run_id, "key": key, "value": value})
        for key, value in (metrics or {}).items():
            row = {
                "run_id": run_id,
                "key": key,
                "value": value,
                "step": 0,
                "timestamp": self._clock,
            }
            self.rows["metrics"].append(row)
            self.rows["metric_history"].append(row)

    def search(
        self,
        experiment_id: str,
        experiment: str,
        model: str,
        *,
        primary: str,
        trials: list[tuple[dict[str, str], dict[str, float]]],
        test_scores: dict[str, float],
        prefix: str = "",
        deleted: bool = False,
    ) -> str:
        """A search run with its trials and best run, as mlreport logs them."""
        base = {
            schema.TAG_EXPERIMENT: experiment,
            schema.TAG_MODEL: model,
            schema.TAG_PRIMARY_METRIC: primary,
            schema.TAG_ESTIMATOR: "sklearn.linear_model.LogisticRegression",
            schema.TAG_STRATEGY: "grid",
        }
        search_id = f"{prefix}{model}-search"
        self.run(
            search_id,
            experiment_id,
            name=f"{model} search",
            tags={**base, schema.TAG_ROLE: schema.ROLE_SEARCH},
            metrics={schema.METRIC_SEARCH_TIME: 3.0},
            deleted=deleted,
        )
        for index, (params, metrics) in enumerate(trials):
            self.run(
                f"{prefix}{model}-trial-{index}",
                experiment_id,
                name=f"{model} trial {index}",
                parent=search_id,
                params=params,
                metrics=metrics,
                tags={**base, schema.TAG_ROLE: schema.ROLE_TRIAL},
                status="FINISHED" if f"cv_{primary}_mean" in metrics else "FAILED",
            )
        best_params, best_metrics = max(
            trials, key=lambda t: t[1].get(f"cv_{primary}_mean", float("-inf"))
        )
        self.run(
            f"{prefix}{model}-best",
            experiment_id,
            name=f"{model} best",
            parent=search_id,
            params=best_params,
            metrics={
                **{f"test_{k}": v for k, v in test_scores.items()},
                f"cv_{primary}_mean": best_metrics[f"cv_{primary}_mean"],
            },
            tags={**base, schema.TAG_ROLE: schema.ROLE_BEST},
        )
        return search_id

    def one_candidate_search(
        self, *, cv_score: float, test_scores: dict[str, float], primary: str = "roc_auc"
    ) -> str:
        """Model ``lr`` of experiment ``demo`` (id "1", added with ``experiment``): a search
        of one candidate (C=1) with CV score ``cv_score``."""
        metrics = {f"cv_{primary}_mean": cv_score, "fit_time_s": 0.1, "rank": 1}
        return self.search(
            "1", "demo", "lr", primary=primary, trials=[({"C": "1"}, metrics)],
            test_scores=test_scores,
        )  # fmt: skip

    def scaling_run(
        self,
        experiment_id: str,
        experiment: str,
        model: str,
        measurements: pd.DataFrame,
        *,
        params: dict[str, str],
        prefix: str = "",
        status: str = "FINISHED",
        error: str = "",
    ) -> str:
        """A scaling run under the model's search, with its measurements artifact."""
        run_id = f"{prefix}{model}-scaling"
        tags = {
            schema.TAG_EXPERIMENT: experiment,
            schema.TAG_MODEL: model,
            schema.TAG_ROLE: schema.ROLE_SCALING,
        }
        if error:
            tags[schema.TAG_ERROR] = error
        self.run(
            run_id,
            experiment_id,
            name=f"{model} scaling",
            parent=f"{prefix}{model}-search",
            params=params,
            tags=tags,
            status=status,
        )
        self.scaling[run_id] = measurements
        return run_id

    def hostile_experiment(self, experiment_id: str, text: str) -> None:
        """An experiment whose name, description, model and a param value are ``text``."""
        self.experiment(experiment_id, text, description=text)
        self.search(
            experiment_id,
            text,
            text,
            primary="accuracy",
            trials=[
                (
                    {"C": text},
                    {
                        "cv_accuracy_mean": 0.5,
                        "cv_accuracy_std": 0.0,
                        "fit_time_s": 0.1,
                        "rank": 1.0,
                    },
                ),
                (
                    {"C": "1"},
                    {
                        "cv_accuracy_mean": 0.4,
                        "cv_accuracy_std": 0.0,
                        "fit_time_s": 0.2,
                        "rank": 2.0,
                    },
                ),
            ],
            test_scores={"accuracy": 0.5},
        )

    def write(self, folder: Path) -> Path:
        """Write the dataset as an export folder (Parquet tables and manifest)."""
        folder.mkdir(parents=True)
        dataset = self.build()
        for name, table_schema in schema.TABLES.items():
            path = schema.table_path(folder, name)
            if name in schema.PARTITIONED_TABLES:
                path.mkdir()
                path = path / "part-00000.parquet"
            pq.write_table(
                pa.Table.from_pandas(dataset[name], schema=table_schema, preserve_index=False),
                path,
            )
        for name in schema.RUN_ARTIFACT_COPIES:
            (folder / name).mkdir()
            for run_id, frame in getattr(self, name).items():
                frame.to_parquet(folder / name / f"{run_id}.parquet", index=False)
        (folder / schema.MANIFEST_FILE).write_text(json.dumps(dataset.manifest))
        mark_as_output(folder, EXPORT_OUTPUT)
        return folder

    def build(self) -> Dataset:
        tables = {}
        for name, table_schema in schema.TABLES.items():
            columns = {f.name: [r.get(f.name) for r in self.rows[name]] for f in table_schema}
            tables[name] = pa.table(columns, schema=table_schema).to_pandas()
        return Dataset(
            manifest={"schema_version": schema.SCHEMA_VERSION},
            tables=tables,
            predictions=dict(self.predictions),
            explanations=dict(self.explanations),
            weights=dict(self.weights),
            scaling=dict(self.scaling),
        )
