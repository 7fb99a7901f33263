"""The performance benchmark: `python3 dev.py bench` (see README, "Performance and scale-out").

Nothing here is collected by pytest (no file is named test_*.py): the benchmark prints figures,
it does not pass or fail a build. The regression checks that must never drift (query counts,
Shopify requests) are plain tests in tests/returns/test_performance.py.
"""
