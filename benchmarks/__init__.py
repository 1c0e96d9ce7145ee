"""Benchmarks of the dashboard: scripts that measure and print (``make benchmark``); not imported by the app."""
