"""Investors' and staff's accounts (ACC-1..8): hall users, identity checks against a 一码通,
the trade feed of check orders, ID numbers, passwords, SMS codes, captcha, staff users."""
