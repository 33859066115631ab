"""What a rule says when it refuses an admin's entry, shared by every domain's back office."""


class Rejected(ValueError):
    """A back-office entry the rules refuse; ``str(exc)`` is shown to the admin."""
