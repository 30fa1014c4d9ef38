"""Figures measured by ``scripts/bench.py``: each runs kiosk and a bare baseline in the same process and run."""
