"""Benchmarks for idgov, each measured against a bare baseline in the same run.

Run ``python -m bench [--quick] [--format text|json]``; docs/benchmarks.md says what each
benchmark measures and how to read the figures. Machines are noisy (and this one is shared),
so the ratios against a baseline measured minutes apart on the same machine are the figures
to trust, not absolute milliseconds.
"""
