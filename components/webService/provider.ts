/**
 * The dynamic provider behind `RenderWebService`: the shared service provider
 * (components/service/provider.ts) for the web service's kind.
 */
import { webServiceKind } from "./mapping";
import type { ServiceInputs } from "./schema";
import {
  ServiceProvider,
  serviceSecretOutputs,
  type ServiceOutputs,
  type ServiceProviderInputs,
} from "../service/provider";

export { changedHiddenValue, hiddenValue, secretDrift } from "../service/provider";

/**
 * The provider's inputs: the schema's fields, and the program's `advice` for messages
 * (runtime/advice.ts; names `adoptExisting` and `adoptId`).
 */
export type WebServiceProviderInputs = ServiceProviderInputs<ServiceInputs>;

/** What a `RenderWebService` holds in state: its inputs plus what Render reports (`url` included). */
export type WebServiceOutputs = ServiceOutputs<ServiceInputs> & {
  /** The service's public URL. */
  url: string;
};

/** Outputs that are secrets without a secret input of the same name. */
export const webServiceSecretOutputs = serviceSecretOutputs;

/** The `ResourceProvider` of Render web services. */
export class WebServiceProvider extends ServiceProvider<ServiceInputs> {
  /** `report`: where the adoption report goes (default stderr, whose lines the engine shows). */
  constructor(report?: (line: string) => void) {
    super(
      { ...webServiceKind, words: { noun: "service", idHint: "the srv-… id of its dashboard URL" } },
      report,
    );
  }
}
