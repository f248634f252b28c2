"""Price a European call option by Monte Carlo, one batch of paths per task, each from its own seeded stream.

Run: python examples/monte_carlo.py
"""

from __future__ import annotations

import math
import time

import numpy as np

from parallelize import config, parallel_for, rng

SPOT, STRIKE, RATE, VOLATILITY, YEARS = 100.0, 105.0, 0.03, 0.2, 1.0
N_TASKS, PATHS_PER_TASK = 24, 400_000


@parallel_for(seed=42, loop=False)
def discounted_payoff_sum(task: int, n_paths: int) -> float:
    """Sum of discounted payoffs over ``n_paths`` simulated end prices (geometric Brownian motion)."""
    z = rng().standard_normal(n_paths)
    end = SPOT * np.exp((RATE - 0.5 * VOLATILITY**2) * YEARS + VOLATILITY * math.sqrt(YEARS) * z)
    payoff = np.maximum(end - STRIKE, 0.0)
    return float(math.exp(-RATE * YEARS) * payoff.sum())


def black_scholes() -> float:
    """The closed-form price, to compare with."""
    d1 = (math.log(SPOT / STRIKE) + (RATE + 0.5 * VOLATILITY**2) * YEARS) / (VOLATILITY * math.sqrt(YEARS))
    d2 = d1 - VOLATILITY * math.sqrt(YEARS)
    def cdf(x: float) -> float:
        return 0.5 * (1 + math.erf(x / math.sqrt(2)))

    return SPOT * cdf(d1) - STRIKE * math.exp(-RATE * YEARS) * cdf(d2)


def main() -> int:
    started = time.perf_counter()
    with config(backend="serial"):  # same seeds, run here one task after another
        serial = discounted_payoff_sum.map(range(N_TASKS), PATHS_PER_TASK)
    serial_s = time.perf_counter() - started

    started = time.perf_counter()
    parallel = discounted_payoff_sum.map(range(N_TASKS), PATHS_PER_TASK)
    parallel_s = time.perf_counter() - started

    price = sum(parallel) / (N_TASKS * PATHS_PER_TASK)
    print(f"Monte Carlo price {price:.4f} ({N_TASKS * PATHS_PER_TASK:,} paths), Black-Scholes {black_scholes():.4f}")
    print(f"serial {serial_s:.2f}s, parallel {parallel_s:.2f}s (the first parallel call also starts the workers)")
    same = parallel == serial
    print(f"same results as serial: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
