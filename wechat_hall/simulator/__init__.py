"""The WeChat simulator (P-6): a fake WeChat API and a phone chat page."""


def register(app):
    pass
