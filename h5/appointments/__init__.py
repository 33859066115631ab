"""业务预约 (APT-1..5) and the hall queue as investors see it (APT-9, the public call display)."""
