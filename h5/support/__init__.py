"""在线客服 service centre (CS-1, CS-2, CS-4)."""
