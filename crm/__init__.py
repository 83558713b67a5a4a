"""The CRM domain: settings, database, models and the services that change them.

Everything else in Mostrador (tools, agent, channels, api) sits on top of this package;
it imports none of them.
"""
