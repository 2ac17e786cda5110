"""Describing a service for people and tools: its ``routes`` as a table, its ``openapi``
document, and the text and HTML ``tables`` every layer displays. Loaded only to display: never
on a Lambda's request path."""
