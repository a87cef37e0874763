/**
 * Drives the dynamic provider host that ships inside @pulumi/pulumi (`cmd/dynamic-provider`, the code
 * users run) over gRPC, the way the engine does: start it with an engine address argument, read its
 * port from the first stdout line, `Configure` with `args`, then Check/Diff/Create/Read/Update/Delete
 * with the serialized provider in `__provider`.
 *
 * Like the engine, it strips secret wrappers from what it sends (the host answers Configure with
 * acceptSecrets=false). For fast provider-level tests only: stack behaviour is accepted through the CLI
 * (tools/harness/pulumiCli.ts).
 */
import * as grpc from "@grpc/grpc-js";
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as providerProto from "@pulumi/pulumi/proto/provider_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";

/** A property bag as the provider sees it (plain JSON-like values). */
export type Props = Record<string, unknown>;

/** The serialized-provider key the dynamic provider host reads. */
export const providerKey = "__provider";

const secretSigKey = "4dabf18193072939515e22adb298388d";
const secretSig = "1b47061264138c4ac30d75fd1eb44270";
const defaultTimeoutMs = 30_000;

/** Serializes a dynamic provider exactly as `pulumi.dynamic.Resource` does (the `__provider` text). */
export async function serializeProvider(provider: pulumi.dynamic.ResourceProvider): Promise<string> {
  const serialized = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
  return serialized.text;
}

/** Removes Pulumi secret wrappers, as the engine does before calling a provider that refuses secrets. */
export function stripSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripSecrets);
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (record[secretSigKey] === secretSig) return stripSecrets(record.value);
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, stripSecrets(v)]));
  }
  return value;
}

function toStruct(props: Props): Struct {
  return Struct.fromJavaScript(stripSecrets(props) as Record<string, never>);
}

function fromStruct(struct: Struct | undefined): Props {
  return (struct?.toJavaScript() ?? {}) as Props;
}

/** Result of {@link DynamicProviderHost.diff}. */
export interface HostDiff {
  changes: "none" | "some" | "unknown";
  replaces: string[];
  deleteBeforeReplace: boolean;
}

/** A running dynamic provider host and a gRPC client to it. Always {@link stop} it. */
export class DynamicProviderHost {
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: ResourceProviderClient,
    /** The host's gRPC port. */
    readonly port: number,
    private readonly output: { stderr: string },
  ) {}

  /**
   * Starts `node @pulumi/pulumi/cmd/dynamic-provider <engine address>` in its own process group, from
   * `cwd` (default: the repo root), as the engine does. Nothing listens at the engine address: the host
   * only requires the argument.
   */
  static async start(options: { cwd?: string; timeoutMs?: number } = {}): Promise<DynamicProviderHost> {
    const cwd = options.cwd ?? path.resolve(__dirname, "..", "..");
    const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
    const script = require.resolve("@pulumi/pulumi/cmd/dynamic-provider", { paths: [cwd] });
    const child = spawn(process.execPath, [script, "127.0.0.1:1"], {
      cwd,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const output = { stderr: "" };
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (output.stderr += chunk));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let stdout = "";
        const timer = setTimeout(
          () => reject(new Error(`provider host did not start in ${timeoutMs} ms`)),
          timeoutMs,
        );
        child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
          stdout += chunk;
          const newline = stdout.indexOf("\n");
          if (newline < 0) return;
          clearTimeout(timer);
          const port = Number(stdout.slice(0, newline).trim());
          if (Number.isInteger(port) && port > 0) resolve(port);
          else reject(new Error(`provider host printed no port: ${stdout.slice(0, newline)}`));
        });
        child.once("exit", (code, signal) => {
          clearTimeout(timer);
          reject(new Error(`provider host exited (${code ?? signal}): ${output.stderr.trim()}`));
        });
      });
      const client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
      return new DynamicProviderHost(child, client, port, output);
    } catch (err) {
      killGroup(child);
      throw err;
    }
  }

  /** What the host wrote to stderr so far (the SDK logs provider errors there). */
  get stderr(): string {
    return this.output.stderr;
  }

  /** Promisifies one unary gRPC call. */
  private unary<Res>(
    call: (callback: (err: grpc.ServiceError | null, res: Res) => void) => unknown,
  ): Promise<Res> {
    return new Promise((resolve, reject) => {
      call((err, res) => (err ? reject(err) : resolve(res)));
    });
  }

  /**
   * Configure, as the engine sends it to `pulumi-nodejs`: the stack config (`namespace:key` → value)
   * in `args` (the host throws without `args`). Resolves with the host's acceptSecrets answer.
   */
  async configure(config: Props): Promise<{ acceptSecrets: boolean }> {
    const req = new providerProto.ConfigureRequest();
    req.setArgs(toStruct(config));
    req.setAcceptsecrets(true);
    req.setAcceptresources(true);
    const res = await this.unary<providerProto.ConfigureResponse>((cb) => this.client.configure(req, cb));
    return { acceptSecrets: res.getAcceptsecrets() };
  }

  /** Check: resolves with the checked inputs and the failures. */
  async check(
    urn: string,
    olds: Props,
    news: Props,
  ): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }> {
    const req = new providerProto.CheckRequest();
    req.setUrn(urn);
    req.setOlds(toStruct(olds));
    req.setNews(toStruct(news));
    const res = await this.unary<providerProto.CheckResponse>((cb) => this.client.check(req, cb));
    return {
      inputs: fromStruct(res.getInputs()),
      failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  /** Diff of old state against new inputs. */
  async diff(id: string, urn: string, olds: Props, news: Props): Promise<HostDiff> {
    const req = new providerProto.DiffRequest();
    req.setId(id);
    req.setUrn(urn);
    req.setOlds(toStruct(olds));
    req.setNews(toStruct(news));
    const res = await this.unary<providerProto.DiffResponse>((cb) => this.client.diff(req, cb));
    const kinds = providerProto.DiffResponse.DiffChanges;
    const changes = res.getChanges();
    return {
      changes: changes === kinds.DIFF_SOME ? "some" : changes === kinds.DIFF_NONE ? "none" : "unknown",
      replaces: res.getReplacesList(),
      deleteBeforeReplace: res.getDeletebeforereplace(),
    };
  }

  /** Create: resolves with the id and the output properties (which keep `__provider`). */
  async create(urn: string, props: Props): Promise<{ id: string; props: Props }> {
    const req = new providerProto.CreateRequest();
    req.setUrn(urn);
    req.setProperties(toStruct(props));
    const res = await this.unary<providerProto.CreateResponse>((cb) => this.client.create(req, cb));
    return { id: res.getId(), props: fromStruct(res.getProperties()) };
  }

  /** Read: a blank id means the resource is gone. */
  async read(id: string, urn: string, props: Props): Promise<{ id: string; props: Props; inputs?: Props }> {
    const req = new providerProto.ReadRequest();
    req.setId(id);
    req.setUrn(urn);
    req.setProperties(toStruct(props));
    const res = await this.unary<providerProto.ReadResponse>((cb) => this.client.read(req, cb));
    return {
      id: res.getId(),
      props: fromStruct(res.getProperties()),
      inputs: res.getInputs()?.toJavaScript(),
    };
  }

  /** Update: resolves with the new output properties. */
  async update(id: string, urn: string, olds: Props, news: Props): Promise<{ props: Props }> {
    const req = new providerProto.UpdateRequest();
    req.setId(id);
    req.setUrn(urn);
    req.setOlds(toStruct(olds));
    req.setNews(toStruct(news));
    const res = await this.unary<providerProto.UpdateResponse>((cb) => this.client.update(req, cb));
    return { props: fromStruct(res.getProperties()) };
  }

  /** Delete. */
  async delete(id: string, urn: string, props: Props): Promise<void> {
    const req = new providerProto.DeleteRequest();
    req.setId(id);
    req.setUrn(urn);
    req.setProperties(toStruct(props));
    await this.unary<unknown>((cb) => this.client.delete(req, cb));
  }

  /** Closes the client and kills the host's process group. */
  async stop(): Promise<void> {
    this.client.close();
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
      killGroup(this.child);
      await exited;
    }
  }
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // ESRCH: already gone.
  }
}
