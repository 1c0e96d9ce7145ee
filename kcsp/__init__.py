"""Kent Community Safety Partnership dashboard: domain and data package (no Dash imports)."""
