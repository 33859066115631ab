"""The WeChat side of the hall (P-1..P-3, P-5): the inbound protocol, our API client,
customer-service and template messages, the menu, and who follows the account."""
