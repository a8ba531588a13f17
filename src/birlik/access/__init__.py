"""Access: people and what they may do — users, roles, region assignments, passwords, API
tokens, session epochs, login throttling, saved searches and the audit log of every change.

Every front end (the web pages, the API, the CLI) calls these services; none of them knows HTTP.
"""
