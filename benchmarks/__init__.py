"""reptempo benchmarks: throughput, latency and accuracy figures with their targets.

Run with `python -m benchmarks` from the repository root; see `benchmarks/README.md`.
Never collected as tests.
"""
