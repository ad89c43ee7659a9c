"""A circuit breaker as a pure state machine: every transition returns a new `BreakerState`.

CLOSED --N consecutive failures--> OPEN --cool-down elapsed, `acquire`--> HALF_OPEN
(one probe in flight) --success--> HALF_OPEN (next probe) ... M successes --> CLOSED;
any failure while HALF_OPEN --> OPEN again. A success in CLOSED resets the failure
count, so only *consecutive* failures trip it: a busy day's scattered errors are not
an outage.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

import attrs

from alchemiser_core._fields import (
    aware_datetime,
    bounds,
    member,
    strict_bool,
    value_fields,
    whole_number,
)
from alchemiser_core.errors import InvalidInputError

__all__ = ["BreakerState", "BreakerStatus"]


class BreakerStatus(enum.StrEnum):
    """Where the breaker stands."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


def _opened_at(value: object, field: str = "opened_at") -> datetime | None:
    return None if value is None else aware_datetime(value, field)


def _cooldown(value: object, field: str = "cooldown") -> timedelta:
    if not isinstance(value, timedelta) or value < timedelta(0):
        raise InvalidInputError(field, "a non-negative timedelta", value)
    return value


@attrs.frozen(slots=True, field_transformer=value_fields)
class BreakerState:
    """Immutable breaker state; feed it outcomes, ask it whether a call may go.

    >>> from datetime import UTC, datetime, timedelta
    >>> t = datetime(2026, 11, 26, 15, tzinfo=UTC)
    >>> b = BreakerState(failure_threshold=2, cooldown=timedelta(seconds=30))
    >>> b = b.on_failure(t).on_failure(t)
    >>> b.status, b.allows(t + timedelta(seconds=29)), b.allows(t + timedelta(seconds=30))
    (<BreakerStatus.OPEN: 'open'>, False, True)
    """

    failure_threshold: int = attrs.field(default=3, converter=whole_number, metadata=bounds(ge=1))
    success_threshold: int = attrs.field(default=2, converter=whole_number, metadata=bounds(ge=1))
    cooldown: timedelta = attrs.field(default=timedelta(seconds=60), converter=_cooldown)
    status: BreakerStatus = attrs.field(
        default=BreakerStatus.CLOSED, converter=member, metadata=bounds(of=BreakerStatus)
    )
    consecutive_failures: int = attrs.field(default=0, converter=whole_number)
    consecutive_successes: int = attrs.field(default=0, converter=whole_number)
    opened_at: datetime | None = attrs.field(default=None, converter=_opened_at)
    probe_in_flight: bool = attrs.field(default=False, converter=strict_bool)

    def __attrs_post_init__(self) -> None:
        # A breaker restored from storage must be one the transitions could have made.
        if (self.status is BreakerStatus.CLOSED) == (self.opened_at is not None):
            raise InvalidInputError(
                "opened_at", "a time exactly when the status is open or half_open", self.opened_at
            )

    def allows(self, now: datetime) -> bool:
        """May a call start at `now`? (Asking changes nothing; `acquire` claims the probe.)"""
        now = aware_datetime(now, "now")
        if self.status is BreakerStatus.CLOSED:
            return True
        if self.status is BreakerStatus.OPEN:
            assert self.opened_at is not None
            return now >= self.opened_at + self.cooldown
        return not self.probe_in_flight

    def acquire(self, now: datetime) -> tuple[bool, BreakerState]:
        """Claim the right to make one call: (allowed, new state)."""
        if not self.allows(now):
            return False, self
        if self.status is BreakerStatus.CLOSED:
            return True, self
        return True, attrs.evolve(self, status=BreakerStatus.HALF_OPEN, probe_in_flight=True)

    def on_success(self, now: datetime) -> BreakerState:
        """Record a successful call."""
        aware_datetime(now, "now")
        if self.status is BreakerStatus.CLOSED:
            return attrs.evolve(self, consecutive_failures=0)
        if self.status is BreakerStatus.OPEN:
            return self  # a late result of a call started before the trip proves nothing
        successes = self.consecutive_successes + 1
        if successes >= self.success_threshold:
            # Failures were reset when it opened, and a failure while probing reopens it.
            return attrs.evolve(
                self,
                status=BreakerStatus.CLOSED,
                consecutive_successes=0,
                opened_at=None,
                probe_in_flight=False,
            )
        return attrs.evolve(self, consecutive_successes=successes, probe_in_flight=False)

    def on_failure(self, now: datetime) -> BreakerState:
        """Record a failed call; trips after `failure_threshold` in a row, or any while probing."""
        now = aware_datetime(now, "now")
        if self.status is BreakerStatus.HALF_OPEN:
            return self._open(now)
        if self.status is BreakerStatus.OPEN:
            return self
        failures = self.consecutive_failures + 1
        if failures >= self.failure_threshold:
            return self._open(now)
        return attrs.evolve(self, consecutive_failures=failures)

    def _open(self, now: datetime) -> BreakerState:
        return attrs.evolve(
            self,
            status=BreakerStatus.OPEN,
            consecutive_failures=0,
            consecutive_successes=0,
            opened_at=now,
            probe_in_flight=False,
        )
