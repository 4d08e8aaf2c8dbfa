"""The programme: sessions (forums, ceremonies, the gala), agenda items, speakers, conflicts,
the public programme and its exports (iCalendar, JSON, frab XML)."""
