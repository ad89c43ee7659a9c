"""Test-wide settings: Hypothesis profiles per environment.

`dev` (default) keeps the local run fast; `ci` (selected by HYPOTHESIS_PROFILE=ci,
which .ci/run sets) runs at least 1,000 examples per property.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile(
    "ci",
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
