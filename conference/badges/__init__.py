"""Badges: signed QR payloads, access zones, templates per category, single and batch PDFs."""
