"""Dash pages: one module per route, each with its layout and its own callbacks."""
