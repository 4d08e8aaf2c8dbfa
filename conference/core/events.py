"""What a lower domain tells the domains above it, without importing them.

The lower domain declares its events (`Domain.events`) and emits them; a higher domain declares
the handlers it runs (`Domain.handles`). Handlers run at once, in the domains' order, inside the
emitter's transaction: what they do commits or rolls back with it.
"""

from conference.core.domains import installed


def emit(event: str, **payload) -> None:
    for handler in installed().handlers(event):
        handler(**payload)
