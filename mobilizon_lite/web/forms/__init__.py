"""The HTML forms of the site (CSRF-protected by flask-wtf), one module per area over a common base."""
