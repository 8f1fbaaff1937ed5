"""The staff console: one module per resource, all under /console.

Pages are rendered with autoescaping; everything a worker typed reaches the browser as JSON and
is put on the page with textContent, so worker text is never markup.
"""

from sanic import Blueprint

from bot.web.console import auth, cases, orders, queue, referrals, stats, unanswered

blueprint = Blueprint.group(auth.blueprint, queue.blueprint, cases.blueprint, referrals.blueprint, orders.blueprint,
                            stats.blueprint, unanswered.blueprint)
