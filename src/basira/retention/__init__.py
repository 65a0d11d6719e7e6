"""Data kept only as long as allowed: retention rules, holds, the purge job, and data-subject requests."""
