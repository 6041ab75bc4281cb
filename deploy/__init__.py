"""Production set-up kept in the repository: nginx, gunicorn and systemd configuration, and the
runner that starts the whole production configuration locally (docs/deploy.md)."""
