"""`flask hotels ...`: auto-assign and rooming lists from the command line."""
from flask.cli import AppGroup

hotels_cli = AppGroup("hotels", help="Hotels: auto-assign stays, write rooming lists.")
