// Type-checked by scripts/reuse.sh against the types openapi-typescript generates from
// openapi.yaml: what a TypeScript integrator would write.
import type { components, paths } from "./api";

type Webhook = components["schemas"]["Webhook"];
type WebhookCreate = components["schemas"]["WebhookCreate"];
type ApiError = components["schemas"]["ApiError"];
type Notification = components["schemas"]["Notification"];
type ListResponse = paths["/webhooks"]["get"]["responses"][200]["content"]["application/json"];

const created: Webhook = {
  id: 5,
  actions: ["CHAT_CONVERSATION_CREATED"],
  subscription_url: "https://example.pl",
  http_auth_user: "",
  http_auth_password: "",
};
const listed: ListResponse = [created];

const body: WebhookCreate = {
  actions: ["CUSTOMER_CREATED", "CUSTOMER_UPDATED"],
  subscription_url: "https://crm.example.com/thulium",
  http_auth_user: "thulium",
  http_auth_password: "change-me",
};

// @ts-expect-error `actions` is required
const missingActions: WebhookCreate = { subscription_url: "https://example.pl" };

const failure: ApiError = { request_id: "53678450401cf", errors: [{ message: "Wrong format of phone number.", code: 111111 }] };

// The discriminator narrows a notification to its action's fields.
function describe(notification: Notification): string {
  switch (notification.action) {
    case "CUSTOMER_UPDATED":
      return `customer ${notification.customer_id} (company ${notification.company_id ?? "none"})`;
    case "CHAT_CONVERSATION_CREATED":
      return `chat ${notification.conversation_id} from ${notification.client_name ?? "?"}`;
    default:
      return notification.action;
  }
}

export const checked = [listed, body, missingActions, failure, describe];
