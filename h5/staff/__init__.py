"""Staff pages: login, the console, and the back office."""


def register(app):
    pass
