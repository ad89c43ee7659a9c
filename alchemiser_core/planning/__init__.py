"""Planning: from what the account holds and what it should hold to a `RebalancePlan`.

The values a plan is made of (`AccountSnapshot`, `TargetAllocation`, `RebalanceConfig`,
`OrderIntent`, `SkippedLeg`, `RebalancePlan`) and the functions that make it
(`plan_rebalance`, `size_position`, `allocation_diff`). Nothing here knows about
limits or execution; `alchemiser_core.risk` builds on this package, never the reverse.
"""
