"""The Textual till (a later issue): app, screens, widgets."""
