"""Subscribers: the one owner of their state (lifecycle), their pages, mails, data and rights."""
