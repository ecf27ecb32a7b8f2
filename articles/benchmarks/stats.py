"""Figures the benchmark commands print."""


def percentile(values, p):
    """The ``p``-th percentile of ``values`` (nearest rank on the sorted values)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]
