/**
 * The dynamic provider behind `RenderBackgroundWorker`: the shared service provider (components/service/provider.ts)
 * for the background worker kind.
 */
import { backgroundWorkerKind, type BackgroundWorkerInputs } from "./mapping";
import { ServiceProvider, type ServiceOutputs } from "../service/provider";

/** What a `RenderBackgroundWorker` holds in state: its inputs plus what Render reports. */
export type BackgroundWorkerOutputs = ServiceOutputs<BackgroundWorkerInputs>;

/** The `ResourceProvider` of Render background workers. */
export class BackgroundWorkerProvider extends ServiceProvider<BackgroundWorkerInputs> {
  /** `report`: where the adoption report goes (default stderr, whose lines the engine shows). */
  constructor(report?: (line: string) => void) {
    super(
      {
        ...backgroundWorkerKind,
        words: { noun: "background worker", idHint: "the srv-… id of its dashboard URL" },
      },
      report,
    );
  }
}
