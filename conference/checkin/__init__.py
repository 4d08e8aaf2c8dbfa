"""Check-in: the rules of each entrance and the one function that decides a scan."""
