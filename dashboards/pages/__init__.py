"""The dashboard pages, one module each (registered by `dashboards.app.create_app`)."""
