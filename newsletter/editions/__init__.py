"""The editor's workspace: editions in Markdown, preview, test-send, schedule, publish."""
