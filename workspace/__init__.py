"""The sales and marketing workspace: `leadpipe web`, a server-rendered web application."""
