"""Uses the Python client that openapi-python-client generated from openapi.yaml
against the simulator (base URL as the only argument). Run by scripts/reuse.sh."""

import base64
import sys

from thulium_client import Client
from thulium_client.api.webhooks import create_webhook, list_webhooks
from thulium_client.models import Action, ApiError, Webhook, WebhookCreate

base_url = sys.argv[1]
token = base64.b64encode(b"api_user:api_pass").decode()
client = Client(base_url=base_url, headers={"Authorization": f"Basic {token}"})

wanted = WebhookCreate(actions=[Action.CHAT_CONVERSATION_CREATED], subscription_url="https://example.pl")
created = create_webhook.sync(client=client, body=wanted)
assert isinstance(created, Webhook), created
assert created.actions == [Action.CHAT_CONVERSATION_CREATED] and created.http_auth_user == ""

listed = list_webhooks.sync(client=client)
assert isinstance(listed, list) and [w.id for w in listed] == [created.id], listed

refused = list_webhooks.sync(client=Client(base_url=base_url))
assert isinstance(refused, ApiError) and refused.request_id, refused

print(
    f"python client: created subscription {created.id} ({created.subscription_url}), "
    f"listed {len(listed)}, refused without credentials (request_id {refused.request_id})"
)
