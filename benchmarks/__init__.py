"""Benchmarks of pipelinegen: how its cost grows with the monorepo, against the machine's floor.

Run `python -m benchmarks`; it writes benchmarks/results.md.
"""
