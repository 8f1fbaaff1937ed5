"""WeChat Official Account (公众号) as a Rasa channel, on wechatpy for the protocol.

- input: the webhook (signature check, decryption, one turn per MsgId, the quick HTTP reply);
- output: answers as service messages, retried, kept for staff when they cannot be delivered;
- client: the service API client and its access token shared by every replica;
- state: the channel's shared state in the app database (MsgIds seen, menus, the token).
Everything here runs on Rasa's event loop: database calls go through a thread.
"""
