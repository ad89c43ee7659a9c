"""The mutmut summary the testing docs are made from counts each status per module."""

from __future__ import annotations

from tests.mutation_summary import summarize


def test_the_summary_counts_each_status_per_module_and_in_total() -> None:
    lines = [
        "    alchemiser_core.planning.plan.x_build__mutmut_1: killed",
        "    alchemiser_core.planning.plan.xǁRebalancePlanǁto_json__mutmut_2: survived",
        "    alchemiser_core.planning.plan.x__excerpt__mutmut_3: not checked",
        "    alchemiser_core.risk.limits.x_split_order__mutmut_4: timeout",
        "    alchemiser_core.risk.limits.x_split_order__mutmut_5: killed",
        "    alchemiser_core.errors.x__short_repr__mutmut_1: no tests",
    ]

    rows = summarize(lines)

    # plan: 2 ran (1 killed = 50%), 1 not run; limits: 2 ran, 1 killed, 1 timeout;
    # errors: 1 ran without tests; in all 5 ran, 2 killed = 40%.
    assert rows[2:] == [
        "| errors | 1 | 0 | 0 | 0 | 1 | 0 | 0.0 |",
        "| planning.plan | 2 | 1 | 1 | 0 | 0 | 1 | 50.0 |",
        "| risk.limits | 2 | 1 | 0 | 1 | 0 | 0 | 50.0 |",
        "| **core** | 5 | 2 | 1 | 1 | 1 | 1 | 40.0 |",
    ]
