"""A minimal front, as a partner's package would ship it: one signal type, one case kind, a router, a command."""
