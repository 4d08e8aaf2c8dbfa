"""Demo hotels (fictional)."""


def load_hotels(carried=None):
    return {}
