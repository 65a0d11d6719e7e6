"""The core: settings, database, organizations, banks, signals, matching, outbox, opinions and audit."""
