"""The audit log page: who did what to whose data in an edition, filtered and exported."""
