"""Pure click-through-rate engine shared by the Slack bot, the Sheets sync and the CLI."""
