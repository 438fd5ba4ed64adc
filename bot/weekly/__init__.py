"""Weekly channel summaries: what they say (blocks), how they look (chart), how they are sent."""
