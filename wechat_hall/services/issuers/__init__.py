"""Issuer services (ISS, seed 002). Built so far, the engine: holder registers T1–T6 and
B from the ledger (ISS-1: ``registers``, ``ledger``, ``details``, ``file_names``,
``register_fields``) and the daily 5 % holder computation (ISS-3: ``major_holders``).
The issuer portal, applications, mailbox and SMS stand on these (docs/ISSUERS.md)."""
