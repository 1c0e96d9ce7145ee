"""Community safety partnership dashboard: domain and data package (no Dash or Flask imports)."""
