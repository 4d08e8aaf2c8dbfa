"""One Person per human per edition, shared by every domain that deals with people."""
