"""Google Sheets sync: auto-filled CTR columns, computed by core."""
