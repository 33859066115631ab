"""账户 (ACC-1..8, PUB-2): registration, login, WeChat binding, password and phone changes, deregistration, recovery and 一码通 activation."""
