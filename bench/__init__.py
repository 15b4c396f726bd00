"""Benchmarks: see bench/common.py for the protocol and bench/run.py for the runner."""
