"""Flask routes beside Dash: sign-in, the CSV and JSON API, and the health check (no Dash imports)."""
