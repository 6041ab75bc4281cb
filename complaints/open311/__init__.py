"""The portal as an Open311 GeoReport v2 server (JSON and XML); see docs/open311.md."""
