"""The node itself: its folder, its keys and its public identity."""
