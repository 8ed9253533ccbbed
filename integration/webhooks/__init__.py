"""Signed webhooks (Standard Webhooks 1.0): which acts become which event types
(catalogue), the rows written in each act's transaction (events), and their delivery by
Celery (delivery, guard)."""
