"""Securities queries (Q-1..Q-7) and electronic certificates (Q-8): the user's scope, the
holdings ledger, IPO allotments, the dividend tax, imports of the registrar's data, trading days."""
