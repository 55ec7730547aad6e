"""Static assets of the release site (CSS and the client-side search script), shipped as package data."""
