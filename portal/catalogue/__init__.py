"""Eco-labelled equipment catalogue, factor library, asset inventory, orders and approvals."""
