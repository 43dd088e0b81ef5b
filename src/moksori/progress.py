"""The one shape of progress reports for long work (dataset checks, feature extraction, training,
evaluation, imports): ``progress(stage, fraction, info)``; the CLI draws it, the web app streams it."""

from __future__ import annotations

from collections.abc import Callable

# stage: a short name of the current step; fraction: 0..1 within that stage; info: extra figures
# such as "eta_s" or "step".
Progress = Callable[[str, float, dict], None]
