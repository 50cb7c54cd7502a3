"""Drawing (pygame): the anatomy preview now; fluoroscopy, DSA and overlays with the window."""
