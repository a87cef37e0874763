/**
 * The dynamic provider behind `RenderPrivateService`: the shared service provider (components/service/provider.ts)
 * for the private service kind.
 */
import { privateServiceKind, type PrivateServiceInputs } from "./mapping";
import { ServiceProvider, type ServiceOutputs } from "../service/provider";

/** What a `RenderPrivateService` holds in state: its inputs plus what Render reports. */
export type PrivateServiceOutputs = ServiceOutputs<PrivateServiceInputs>;

/** The `ResourceProvider` of Render private services. */
export class PrivateServiceProvider extends ServiceProvider<PrivateServiceInputs> {
  /** `report`: where the adoption report goes (default stderr, whose lines the engine shows). */
  constructor(report?: (line: string) => void) {
    super(
      {
        ...privateServiceKind,
        words: { noun: "private service", idHint: "the srv-… id of its dashboard URL" },
      },
      report,
    );
  }
}
