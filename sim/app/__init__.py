"""The application layer: command line, and (with pygame) the window and kiosk."""
