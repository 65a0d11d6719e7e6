"""Actions: what happens outside after a decision — signed webhooks driven by the outbox, retried with back-off,
dead-lettered after a horizon, logged per attempt, and undoable (reinstate), each undo sending its own webhook.

:mod:`~basira.actions.webhooks` manages endpoints, :mod:`~basira.actions.dispatch` turns events into deliveries,
:mod:`~basira.actions.delivery` sends them, :mod:`~basira.actions.undo` undoes an action and
:mod:`~basira.actions.signing` signs and verifies.
"""
