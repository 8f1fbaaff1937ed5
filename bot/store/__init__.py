"""The app database and the services that own its tables: cases, handoffs, classes, aid, audit.

Services take a session and the staff member, check roles themselves (bot.store.roles), and never
import the web, the actions or the channels: whoever calls them runs them off the event loop.
"""
