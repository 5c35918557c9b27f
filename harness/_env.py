"""Process-wide defaults that must be set before any third-party package is imported.

Every dependency's telemetry is off by default, and model hubs are never contacted: councils
cannot send case data, or even usage pings, to third parties. A user can still override any of
these by setting the variable explicitly before running assure.
"""

from __future__ import annotations

import os

TELEMETRY_OFF: dict[str, str] = {
    "DEEPEVAL_TELEMETRY_OPT_OUT": "1",
    "DEEPEVAL_UPDATE_WARNING_OPT_OUT": "1",
    "RAGAS_DO_NOT_TRACK": "true",
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "true",
    "ANONYMIZED_TELEMETRY": "False",
    "HF_HUB_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "GIT_PYTHON_REFRESH": "quiet",
    "LANGCHAIN_TRACING_V2": "false",
    "POSTHOG_DISABLED": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
    # Ray (`--executor ray`): no usage statistics, no update checks.
    "RAY_USAGE_STATS_ENABLED": "0",
    "RAY_USAGE_STATS_PROMPT_ENABLED": "0",
}


def apply_defaults() -> None:
    """Set the telemetry-off and offline variables unless the user already chose a value."""
    for key, value in TELEMETRY_OFF.items():
        os.environ.setdefault(key, value)


apply_defaults()
