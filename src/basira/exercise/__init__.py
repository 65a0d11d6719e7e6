"""Capacity building: exercise organizations rehearsing on synthetic data with the real pipeline, the trainer's
injects and the exercise report, and the readiness self-assessment."""
