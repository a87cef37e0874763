/**
 * The dynamic provider behind `RenderCronJob`: the shared service provider (components/service/provider.ts)
 * for the cron job kind.
 */
import { cronJobKind, type CronJobInputs } from "./mapping";
import { ServiceProvider, type ServiceOutputs } from "../service/provider";

/** What a `RenderCronJob` holds in state: its inputs plus what Render reports. */
export type CronJobOutputs = ServiceOutputs<CronJobInputs>;

/** The `ResourceProvider` of Render cron jobs. */
export class CronJobProvider extends ServiceProvider<CronJobInputs> {
  /** `report`: where the adoption report goes (default stderr, whose lines the engine shows). */
  constructor(report?: (line: string) => void) {
    super(
      { ...cronJobKind, words: { noun: "cron job", idHint: "the crn-… id of its dashboard URL" } },
      report,
    );
  }
}
