"""Risk and execution controls: what stands between a plan and the venue.

Pre-trade limits and runaway guards (`limits`), per-order venue checks
(`preflight`), the kill switch (`trading_state`), quote checks (`quotes`), the
limit-price ladder (`ladder`), the circuit breaker (`breaker`) and the New York
trading day daily limits reset on (`new_york`). Built on `alchemiser_core.planning`.
"""
