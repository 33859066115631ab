"""业务预约 and the hall queue (APT-1..9): the calendar, booking slots and their capacity,
bookings, reminders, kiosk tickets, counters, queue progress, QR codes, offices."""
