"""Outreach: approved information carried to phones in border areas as SMS (and later voice) through the
operators' SMSCs — segment counting and cost first; campaigns, SMPP sending and receipts build on it."""
