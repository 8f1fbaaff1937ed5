"""The staff console: one module per resource, all under /console.

Pages are rendered with autoescaping (cases, orders, unanswered questions show worker text that
way); the live queue and transcript get it as JSON and put it on the page with textContent. Worker
text is never markup.
"""

from sanic import Blueprint

from bot.web.console import (
    auth,
    canned_admin,
    cases,
    context,
    conversation,
    duty,
    knowledge,
    live,
    orders,
    queue,
    referrals,
    stats,
    unanswered,
)

blueprint = Blueprint.group(auth.blueprint, queue.blueprint, conversation.blueprint, live.blueprint,
                            context.blueprint, knowledge.blueprint, canned_admin.blueprint, cases.blueprint,
                            referrals.blueprint, orders.blueprint, stats.blueprint, unanswered.blueprint,
                            duty.blueprint)
