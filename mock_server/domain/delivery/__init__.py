"""Synthetic delivery: what campaigns, ad sets and ads spent and earned, day by day, on the virtual clock.

Nothing is stored per request: every figure is a pure function of the stored objects (with their change
history), the ad account's time zone, the server seed and the delivery profiles, computed when asked
(INSIGHTS.md 9). `engine.Delivery` is the entry point; `schemas/rules/delivery.json` holds the rates.
"""
