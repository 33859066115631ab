"""Online customer service (CS-1..4): the investor's conversation, routing, the knowledge base,
business hours, assignment to agents, the reply window, what an agent does."""
