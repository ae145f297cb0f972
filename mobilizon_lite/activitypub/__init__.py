"""The ActivityPub protocol: keys, documents, signatures and delivery. No views, no templates."""
