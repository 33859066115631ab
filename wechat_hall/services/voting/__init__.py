"""Holder-meeting network voting (V-1..V-9): meetings, the record-date register, ballots and
their receipt chain, nominee and credit accounts, the tally by tier."""
