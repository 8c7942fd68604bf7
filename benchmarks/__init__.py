"""Performance measurements: ``python -m benchmarks.run`` (``make bench``).

See docs/performance.md for what each figure measures.
"""
