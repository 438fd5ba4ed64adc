"""The /ctr Slack app (slack-bolt), a thin shell around core."""
