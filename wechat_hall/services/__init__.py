"""Business rules, one package per domain (wechat, accounts, queries, appointments, voting,
support, issuers); helpers every domain shares (db_locks) stay here at the root.

Views and WeChat handlers call these; these use models and adapters, never the reverse.
"""
