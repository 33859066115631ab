"""Issuer services (ISS, seed 002): holder registers, applications and the mailbox, the 5 %
holder alert, self-service queries, written certificates, fees. Arrives with those features."""
