"""Human review: cases built from outbox events, decisions with reason codes, four-eyes review and appeals.

``consume`` turns events into cases; :mod:`~basira.review.cases`, :mod:`~basira.review.decisions` and
:mod:`~basira.review.appeals` are the services the API, web and CLI call.
"""

from basira.review.consumer import CONSUMER, ConsumeReport, consume

__all__ = ["CONSUMER", "ConsumeReport", "consume"]
