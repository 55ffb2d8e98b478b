"""The workspace pages, one module per area (a router each)."""
