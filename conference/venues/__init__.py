"""Venues, their halls, entrances (checkpoints) and the standard hall checklist (拎包开会)."""
