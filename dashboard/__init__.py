"""Dashboard library: queries and chart builders, importable without Streamlit (except ui.py)."""
