"""The bot's state: watched sheets, running-total snapshots and summary deliveries (SQLAlchemy)."""
