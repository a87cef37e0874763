/**
 * Validates HTTP responses against Render's official OpenAPI 3.0.2 spec (`emulator/spec/openapi.json`,
 * a copy of `../shared/render-api/openapi.json`), so the emulator's contract test checks every body with
 * a real validator instead of hand-written assertions.
 *
 * How: the spec is cloned, the documented {@link SPEC_OVERRIDES} are applied, every schema in it is
 * converted from OpenAPI 3.0 to JSON Schema by `@openapi-contrib/openapi-schema-to-json-schema`
 * (nullable, example, deprecated...), and the whole document is registered in ajv 8 (+ ajv-formats) under
 * one id, so `$ref`s anywhere in the spec (`#/components/schemas/...`, and the `#/paths/...` pointers
 * Render's spec also uses) resolve as they are.
 *
 * Evaluated and not chosen: `openapi-response-validator` (only resolves refs into `components`; Render's
 * spec points into `#/paths/...` and `#/components/schemas/x/properties/y` too, and it is unmaintained).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { fromSchema } from "@openapi-contrib/openapi-schema-to-json-schema";

/** Repository root (this file lives in `tests/helpers/`). */
const repoRoot = path.resolve(__dirname, "..", "..");

/** Where the spec copy lives; see `emulator/spec/README.md` for its source. */
export const SPEC_PATH = path.join(repoRoot, "emulator", "spec", "openapi.json");

/** The id under which the converted spec is registered in ajv. */
const SPEC_ID = "https://render.invalid/openapi.json";

/** A JSON value as parsed from the spec. */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/**
 * One known bug of Render's spec, corrected before validation. Each entry says where (a JSON pointer
 * into the raw spec), why, and what it changes. `apply` throws if the target is no longer what the
 * entry expects, so an override goes stale loudly when the spec is updated.
 */
export interface SpecOverride {
  /** JSON pointer into the raw OpenAPI document. */
  pointer: string;
  /** Why the spec is wrong here, with the source (REFERENCE.md section / recorded traffic). */
  reason: string;
  /** Changes the schema found at `pointer` in place. */
  apply(schema: JsonObject): void;
}

/**
 * The only corrections made to Render's spec. Anything not listed here is validated exactly as
 * published. (Note: the converter library also silently drops `required` names that have no property,
 * which covers the same bug as the first entry; the entry is kept so the fix is explicit and tested.)
 */
export const SPEC_OVERRIDES: readonly SpecOverride[] = [
  {
    pointer: "/components/schemas/postgresDetail",
    reason:
      "`required` lists `project`, which is not a defined property; real responses do not contain it " +
      "(REFERENCE.md §3, recorded traffic).",
    apply: (schema) => removeRequired(schema, "project"),
  },
  {
    pointer: "/components/schemas/service",
    reason:
      "`serviceDetails` is a oneOf without discriminator whose branches overlap (every valid " +
      "webServiceDetails also satisfies privateServiceDetails), so a correct web service fails " +
      "'must match exactly one schema'. Replaced by: serviceDetails is an object, and its schema is chosen " +
      "by the sibling `type` (if/then), which is how Render means it.",
    apply: (schema) => {
      const properties = expectObject(schema.properties, "service.properties");
      if (!expectObject(properties.serviceDetails, "service.properties.serviceDetails").oneOf) {
        fail("service.properties.serviceDetails.oneOf is gone");
      }
      properties.serviceDetails = { type: "object" };
      const detailsByType: Record<string, string> = {
        static_site: "staticSiteDetails",
        web_service: "webServiceDetails",
        private_service: "privateServiceDetails",
        background_worker: "backgroundWorkerDetails",
        cron_job: "cronJobDetails",
      };
      schema.allOf = Object.entries(detailsByType).map(([type, details]) => ({
        if: { properties: { type: { const: type } }, required: ["type"] },
        then: { properties: { serviceDetails: { $ref: `#/components/schemas/${details}` } } },
      }));
    },
  },
  ...["postgres", "postgresDetail"].map((name): SpecOverride => ({
    pointer: `/components/schemas/${name}`,
    reason:
      "`ipAllowList` comes back as null after it was set to [] (OBSERVED in recorded traffic, " +
      "REFERENCE.md §3); the spec types it as a non-nullable array.",
    apply: (schema) => makeNullable(schema, "ipAllowList"),
  })),
  ...["keyValue", "keyValueDetail"].map((name): SpecOverride => ({
    pointer: `/components/schemas/${name}`,
    reason:
      "`ipAllowList` comes back as null when empty (OBSERVED in render-oss/terraform-provider-render's " +
      "keyvalue_cassette.yaml, 2026-06); the spec types it as a non-nullable array.",
    apply: (schema) => makeNullable(schema, "ipAllowList"),
  })),
  {
    pointer: "/components/schemas/deploy",
    reason:
      "`finishedAt` is null while a deploy runs and `commit` is null for image deploys (OBSERVED, " +
      "REFERENCE.md §6); the spec types both as non-nullable.",
    apply: (schema) => {
      makeNullable(schema, "finishedAt");
      makeNullable(schema, "commit");
    },
  },
];

/** One field that failed validation. */
export interface ContractFailure {
  /** Where in the body, as a JSON pointer (`""` = the whole body), e.g. `/0/postgres/status`. */
  field: string;
  /** The validator's message, with allowed values for enums. */
  message: string;
}

/** Thrown when a response does not match the spec; its message names route, status and fields. */
export class ContractViolation extends Error {
  constructor(
    /** `METHOD /template`, e.g. `GET /postgres/{postgresId}`. */
    readonly route: string,
    readonly status: number,
    readonly failures: readonly ContractFailure[],
  ) {
    super(
      `${route} ${status}: response does not match openapi.json: ` +
        failures.map((f) => `${f.field || "(body)"} ${f.message}`).join("; "),
    );
    this.name = "ContractViolation";
  }
}

/** The operation a concrete request path resolved to. */
export interface MatchedOperation {
  /** Upper-case HTTP method. */
  method: string;
  /** The spec's path template, e.g. `/services/{serviceId}/env-vars/{envVarKey}`. */
  template: string;
  /** Path parameters, decoded. */
  params: Record<string, string>;
}

/** Validates response bodies against one loaded copy of Render's spec. */
export class OpenApiValidator {
  private readonly ajv: Ajv;
  private readonly spec: JsonObject;
  private readonly templates: { template: string; segments: string[]; literals: number }[];
  private readonly compiled = new Map<string, ValidateFunction>();

  /** @param rawSpec the parsed openapi.json; it is not modified. */
  constructor(rawSpec: unknown) {
    this.spec = structuredClone(expectObject(rawSpec as Json, "openapi document"));
    for (const override of SPEC_OVERRIDES) {
      override.apply(expectObject(resolvePointer(this.spec, override.pointer), override.pointer));
    }
    convertSchemasInPlace(this.spec);
    this.ajv = new Ajv({
      allErrors: true,
      // Types/required/tuples strictness is about schema style; Render's spec is data we do not edit.
      strictTypes: false,
      strictRequired: false,
      strictTuples: false,
    });
    addFormats(this.ajv);
    // The root of an OpenAPI document is not a JSON Schema: declare its keys and vendor extensions as
    // annotations so strict mode still catches real typos inside schemas.
    this.ajv.addVocabulary([
      "openapi",
      "info",
      "servers",
      "paths",
      "components",
      "security",
      "tags",
      "externalDocs",
      "x-readme",
      "x-go-type",
      "x-enum-varnames",
    ]);
    this.ajv.addSchema(this.spec as object, SPEC_ID);
    const paths = expectObject(this.spec.paths, "paths");
    this.templates = Object.keys(paths).map((template) => {
      const segments = template.split("/").filter(Boolean);
      return { template, segments, literals: segments.filter((s) => !isParam(s)).length };
    });
    // Most literal segments first, so `/services/{id}/deploys` never swallows a more specific route.
    this.templates.sort((a, b) => b.literals - a.literals);
  }

  /**
   * Finds the spec operation for a concrete request. `requestPath` may include the `/v1` base path and a
   * query string. Returns undefined when no template matches or the template has no such method.
   */
  findOperation(method: string, requestPath: string): MatchedOperation | undefined {
    const segments = stripBase(requestPath).split("/").filter(Boolean);
    const lower = method.toLowerCase();
    for (const { template, segments: tpl } of this.templates) {
      if (tpl.length !== segments.length) continue;
      const params: Record<string, string> = {};
      const matches = tpl.every((part, i) => {
        if (isParam(part)) {
          params[part.slice(1, -1)] = safeDecode(segments[i]);
          return true;
        }
        return part === segments[i];
      });
      if (!matches) continue;
      const pathItem = expectObject(expectObject(this.spec.paths, "paths")[template], template);
      if (!(lower in pathItem)) continue;
      return { method: method.toUpperCase(), template, params };
    }
    return undefined;
  }

  /**
   * Validates one response. `body` is the parsed JSON body, or `undefined` when the response had none.
   * Responses the spec declares without content (204, 202 suspend/resume...) must have no body.
   * @throws ContractViolation naming `METHOD /template`, the status and each failing field.
   */
  validateResponse(method: string, requestPath: string, status: number, body: unknown): void {
    const op = this.findOperation(method, requestPath);
    if (!op) {
      throw new ContractViolation(`${method.toUpperCase()} ${stripBase(requestPath)}`, status, [
        { field: "", message: "no operation in openapi.json matches this method and path" },
      ]);
    }
    const route = `${op.method} ${op.template}`;
    const operationPointer = `/paths/${escapePointer(op.template)}/${op.method.toLowerCase()}`;
    const responses = expectObject(resolvePointer(this.spec, `${operationPointer}/responses`), route);
    const key = [String(status), `${String(status)[0]}XX`, "default"].find((k) => k in responses);
    if (!key) {
      throw new ContractViolation(route, status, [
        {
          field: "",
          message: `status ${status} is not a documented response (documented: ${Object.keys(responses).join(", ")})`,
        },
      ]);
    }
    let responsePointer = `${operationPointer}/responses/${key}`;
    let response = expectObject(resolvePointer(this.spec, responsePointer), responsePointer);
    for (let hops = 0; typeof response.$ref === "string"; hops++) {
      if (hops > 10) throw new Error(`${route}: $ref loop at ${responsePointer}`);
      responsePointer = response.$ref.replace(/^#/, "");
      response = expectObject(resolvePointer(this.spec, responsePointer), responsePointer);
    }
    const content = response.content as JsonObject | undefined;
    const mediaKey = content && Object.keys(content).find((k) => k.startsWith("application/json"));
    if (!mediaKey) {
      if (body !== undefined) {
        throw new ContractViolation(route, status, [
          { field: "", message: `must be empty (the spec declares no body), got ${preview(body)}` },
        ]);
      }
      return;
    }
    if (body === undefined) {
      throw new ContractViolation(route, status, [
        { field: "", message: "is missing: the spec declares a JSON body" },
      ]);
    }
    const schemaPointer = `${responsePointer}/content/${escapePointer(mediaKey)}/schema`;
    this.check(route, status, schemaPointer, body);
  }

  /**
   * Validates `value` against a named schema in `components.schemas` (e.g. `error` for routes outside
   * the spec, like an unknown path). `label` names it in the error.
   */
  validateSchema(schemaName: string, value: unknown, label = `schema ${schemaName}`): void {
    this.check(label, 0, `/components/schemas/${escapePointer(schemaName)}`, value);
  }

  private check(route: string, status: number, schemaPointer: string, value: unknown): void {
    let validate = this.compiled.get(schemaPointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `${SPEC_ID}#${encodeURI(schemaPointer)}` });
      this.compiled.set(schemaPointer, validate);
    }
    if (!validate(value)) {
      throw new ContractViolation(route, status, toFailures(validate.errors ?? []));
    }
  }
}

let defaultValidator: OpenApiValidator | undefined;

/**
 * Loads the spec copy at {@link SPEC_PATH} (once per process) and returns its validator.
 * @throws Error with the path and how to restore it when the copy is missing.
 */
export function renderSpecValidator(): OpenApiValidator {
  if (!defaultValidator) defaultValidator = new OpenApiValidator(loadRenderSpec());
  return defaultValidator;
}

/** Reads and parses the spec copy; throws a clear error when it is absent. */
export function loadRenderSpec(specPath = SPEC_PATH): unknown {
  if (!fs.existsSync(specPath)) {
    throw new Error(
      `Render OpenAPI spec not found at ${specPath}; copy ../shared/render-api/openapi.json there ` +
        "(see emulator/spec/README.md).",
    );
  }
  return JSON.parse(fs.readFileSync(specPath, "utf8"));
}

/**
 * Validates one response against Render's spec with the default validator.
 * @see OpenApiValidator.validateResponse
 */
export function validateResponse(method: string, requestPath: string, status: number, body: unknown): void {
  renderSpecValidator().validateResponse(method, requestPath, status, body);
}

function toFailures(errors: readonly ErrorObject[]): ContractFailure[] {
  // `if` errors only say "must match then schema"; the real cause is reported alongside.
  const useful = errors.filter((e) => e.keyword !== "if");
  const seen = new Set<string>();
  const failures: ContractFailure[] = [];
  for (const error of useful) {
    let field = error.instancePath;
    let message = error.message ?? "is invalid";
    if (error.keyword === "required") {
      field = `${field}/${(error.params as { missingProperty: string }).missingProperty}`;
      message = "is required but missing";
    } else if (error.keyword === "enum") {
      message += `: ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
    }
    const line = `${field} ${message}`;
    if (seen.has(line)) continue;
    seen.add(line);
    failures.push({ field, message });
  }
  return failures;
}

/** Converts every schema object in an OpenAPI document to JSON Schema, in place. */
function convertSchemasInPlace(doc: JsonObject): void {
  const convert = (schema: Json): Json => {
    const converted = fromSchema(schema as object, { cloneSchema: false }) as JsonObject;
    // The converter stamps draft-04; the schemas are registered in ajv's default draft instead.
    delete converted.$schema;
    return converted;
  };
  const schemas = expectObject(expectObject(doc.components, "components").schemas, "components.schemas");
  for (const name of Object.keys(schemas)) schemas[name] = convert(schemas[name]);
  const visit = (node: Json): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== "object") return;
    for (const [key, value] of Object.entries(node)) {
      // `schema` holds a Schema Object in Parameter and Media Type objects; everything else is structure.
      if (key === "schema" && value && typeof value === "object" && !Array.isArray(value)) {
        node[key] = convert(value);
      } else {
        visit(value);
      }
    }
  };
  visit(doc.paths);
  visit(expectObject(doc.components, "components").responses ?? null);
  visit(expectObject(doc.components, "components").parameters ?? null);
}

function removeRequired(schema: JsonObject, name: string): void {
  const required = schema.required;
  if (!Array.isArray(required) || !required.includes(name)) fail(`required no longer lists ${name}`);
  schema.required = required.filter((r) => r !== name);
}

function makeNullable(schema: JsonObject, property: string): void {
  const properties = expectObject(schema.properties, "properties");
  const target = expectObject(properties[property], `properties.${property}`);
  if (target.nullable === true) fail(`${property} is already nullable`);
  // A $ref ignores siblings in OpenAPI 3.0, so wrap it to make it nullable.
  // `nullable` only acts next to `type` (a $ref ignores siblings), so a ref becomes "null or the ref".
  properties[property] =
    "$ref" in target ? { anyOf: [{ type: "null" }, target] } : { ...target, nullable: true };
}

function resolvePointer(doc: Json, pointer: string): Json {
  let node: Json = doc;
  for (const raw of pointer.split("/").slice(1)) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (node === null || typeof node !== "object" || !(key in node)) {
      throw new Error(`openapi.json has nothing at ${pointer}`);
    }
    node = (node as Record<string, Json>)[key];
  }
  return node;
}

function escapePointer(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

function expectObject(value: Json | undefined, what: string): JsonObject {
  if (!value || typeof value !== "object" || Array.isArray(value)) fail(`${what} is not an object`);
  return value as JsonObject;
}

function fail(message: string): never {
  throw new Error(`openapi.json (or an override of it) changed: ${message}`);
}

function isParam(segment: string): boolean {
  return segment.startsWith("{") && segment.endsWith("}");
}

function stripBase(requestPath: string): string {
  const pathOnly = requestPath.replace(/^https?:\/\/[^/]+/, "").split("?")[0];
  return pathOnly.replace(/^\/v1(?=\/|$)/, "") || "/";
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
