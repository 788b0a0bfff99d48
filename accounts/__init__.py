"""Who may use Dasbor PMKS: users, roles and their scope, passwords, sessions and the sign-in throttle.

Shared by the app and `python -m etl user`, with no Streamlit here. `accounts.users` holds the rules (roles, password
hashing, the throttle); `accounts.store` keeps users and sessions in the warehouse's store, every change in one
audited transaction.
"""
